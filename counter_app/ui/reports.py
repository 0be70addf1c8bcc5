"""Thống kê: the office's figures for a period (services.reports), a bar chart per sector, the
late list with its apologies (Form 04), satisfaction counts, and the exports (statistics and
register as Excel workbooks, register as PDF). Counting runs on a worker thread (ui.workers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.context import Context
from counter_app.ui.common import MessageBar, fmt_when, heading

# The series of the chart: the counts' field, its legend, its colour.
SERIES = (
    ("received", "Tiếp nhận", "#4a78b5"),
    ("early", "Trước hạn", "#2e9d5b"),
    ("on_time", "Đúng hạn", "#8cc269"),
    ("late", "Quá hạn", "#d0453a"),
)
TABLE_COLUMNS = (
    ("received", "Tiếp\nnhận"),
    ("resolved", "Đã giải\nquyết"),
    ("early", "Trước\nhạn"),
    ("on_time", "Đúng\nhạn"),
    ("late", "Quá\nhạn"),
    ("returned", "Đã\ntrả"),
    ("open", "Đang giải\nquyết"),
    ("overdue", "Đang\nquá hạn"),
    ("refused", "Từ\nchối"),
    ("withdrawn", "Rút\nhồ sơ"),
)
LATE_SHOWN = 500  # rows of the late list on screen; the Excel export has them all
LATE_COLUMNS = (
    "Mã hồ sơ",
    "Thủ tục",
    "Người nộp",
    "Hẹn trả",
    "Có kết quả",
    "Tình trạng",
    "Số ngày quá hạn",
    "Đã có Phiếu xin lỗi (Mẫu 04)",
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _table(columns: Sequence[str], stretch: int | None) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


@contextmanager
def _filling(table: QTableWidget):
    """Columns sized to their contents once, after the rows are in (a busy office's late list
    has thousands of rows; sizing at every cell took seconds), as ui.common's DossierTable."""
    header = table.horizontalHeader()
    modes = [header.sectionResizeMode(i) for i in range(table.columnCount())]
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setUpdatesEnabled(False)
    try:
        yield
    finally:
        for index, mode in enumerate(modes):
            header.setSectionResizeMode(index, mode)
        table.setUpdatesEnabled(True)


def _item(value: object, *, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem("" if value is None else str(value))
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class SectorChart(QWidget):
    """Grouped bars per sector (received, early, on time, late), drawn with QPainter:
    QtCharts is not part of PySide6-Essentials."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, tuple[int, ...]]] = []
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows: Sequence[tuple[str, Sequence[int]]]) -> None:
        self.rows = [(name, tuple(values)) for name, values in rows]
        self.setToolTip(
            "\n".join(
                f"{name}: " + ", ".join(f"{s[1]} {v}" for s, v in zip(SERIES, values, strict=True))
                for name, values in self.rows
            )
        )
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        if not self.rows:
            painter.setPen(QColor("#666"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Chưa có số liệu trong kỳ này"
            )
            return
        # The legend, on one line at the top.
        x = 8
        for _key, label, colour in SERIES:
            painter.fillRect(QRectF(x, 6, 12, 12), QColor(colour))
            painter.setPen(QColor("#222"))
            painter.drawText(int(x + 16), 6 + metrics.ascent() - 1, label)
            x += 16 + metrics.horizontalAdvance(label) + 14
        top, bottom = 12 + line + 6, self.height() - 2 * line - 8
        left, right = 8 + metrics.horizontalAdvance("0000"), self.width() - 8
        height = max(bottom - top, 10)
        largest = max((max(values) for _name, values in self.rows), default=0) or 1
        painter.setPen(QPen(QColor("#bbb"), 1))
        painter.drawLine(left, bottom, right, bottom)
        painter.setPen(QColor("#555"))
        painter.drawText(
            QRectF(0, top - line / 2, left - 4, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(largest),
        )
        painter.drawText(
            QRectF(0, bottom - line / 2, left - 4, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "0",
        )
        group = (right - left) / len(self.rows)
        bar = max(min((group - 12) / len(SERIES), 28), 2)
        for index, (name, values) in enumerate(self.rows):
            start = left + index * group + (group - bar * len(SERIES)) / 2
            for series, value in enumerate(values):
                h = height * value / largest
                rect = QRectF(start + series * bar, bottom - h, bar - 2, h)
                painter.fillRect(rect, QColor(SERIES[series][2]))
                if value and bar >= metrics.horizontalAdvance(str(value)) - 2:
                    painter.setPen(QColor("#222"))
                    painter.drawText(
                        QRectF(rect.x() - 4, rect.y() - line, bar + 6, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        str(value),
                    )
            painter.setPen(QColor("#222"))
            label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(group - 4))
            painter.drawText(
                QRectF(left + index * group, bottom + 4, group, line),
                Qt.AlignmentFlag.AlignHCenter,
                label,
            )
        painter.end()


class ReportsScreen(QWidget):
    register_requested = Signal(object, object)  # print the register (PDF) for date, date

    def __init__(self, ctx: Context, clerk: Callable[[], object], jobs) -> None:
        super().__init__()
        self.ctx, self.clerk, self.jobs = ctx, clerk, jobs
        self.stats = None  # the Statistics shown
        self.loading = False  # a count is running
        self.shown_for: tuple | None = None  # (from, to, username) of `stats`
        self.last_export: Path | None = None
        self.choose_path: Callable[[str, str], str] = self._ask_path  # tests set a path

        self.title = heading("Thống kê")
        today = ctx.now().date()
        self.date_from = QDateEdit(_qdate(today.replace(day=1)))
        self.date_to = QDateEdit(_qdate(today))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setMaximumDate(_qdate(today))
        self.show_button = QPushButton("&Xem thống kê")
        self.export_button = QPushButton("Xuất &Excel…")
        self.register_xlsx_button = QPushButton("&Sổ theo dõi ra Excel…")
        self.register_pdf_button = QPushButton("&In sổ theo dõi")
        self.message = MessageBar()
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.sector_table = _table(["Lĩnh vực", *(label for _, label in TABLE_COLUMNS)], None)
        self.procedure_table = _table(["Thủ tục", *(label for _, label in TABLE_COLUMNS)], 0)
        self.groups = QTabWidget()
        self.groups.addTab(self.sector_table, "Theo lĩnh vực")
        self.groups.addTab(self.procedure_table, "Theo thủ tục")
        self.chart = SectorChart()
        chart_box = QGroupBox("Tiếp nhận và giải quyết theo lĩnh vực")
        QVBoxLayout(chart_box).addWidget(self.chart)

        self.late_table = _table(LATE_COLUMNS, 1)
        self.late_box = QGroupBox("Hồ sơ quá hạn")
        QVBoxLayout(self.late_box).addWidget(self.late_table)
        self.ratings_box = QGroupBox("Đánh giá của người dân (hồ sơ đã trả trong kỳ)")
        ratings = QHBoxLayout(self.ratings_box)
        self.rating_labels: dict[str, QLabel] = {}
        for key, label in (
            ("very_satisfied", "Rất hài lòng:"),
            ("satisfied", "Hài lòng:"),
            ("dissatisfied", "Không hài lòng:"),
            ("returned", "Đã trả:"),
        ):
            self.rating_labels[key] = QLabel("–")
            self.rating_labels[key].setStyleSheet("font-weight:600;")
            ratings.addWidget(QLabel(label))
            ratings.addWidget(self.rating_labels[key])
            ratings.addSpacing(10)
        ratings.addStretch()

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(16)
        for text, edit in (("&Từ ngày", self.date_from), ("đế&n ngày", self.date_to)):
            label = QLabel(text)
            label.setBuddy(edit)
            top.addWidget(label)
            top.addWidget(edit)
        top.addWidget(self.show_button)
        top.addStretch()
        top.addWidget(self.export_button)
        top.addWidget(self.register_xlsx_button)
        top.addWidget(self.register_pdf_button)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(chart_box, 1)
        right_layout.addWidget(self.ratings_box)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(self.groups)
        upper.addWidget(right)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        layout.addWidget(upper, 3)
        layout.addWidget(self.late_box, 2)

        self.show_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(lambda: self.export_statistics())
        self.register_xlsx_button.clicked.connect(lambda: self.export_register())
        self.register_pdf_button.clicked.connect(
            lambda: self.register_requested.emit(*self.period())
        )

    # -- the period and the figures --------------------------------------------------------

    def period(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def set_period(self, date_from: date, date_to: date) -> None:
        self.date_from.setDate(_qdate(date_from))
        self.date_to.setDate(_qdate(date_to))

    def _username(self) -> str | None:
        clerk = self.clerk()
        return clerk.username if clerk is not None else None

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stats is None and not self.loading:
            self.refresh()

    def refresh(self) -> int:
        from counter_app.services.reports import period_statistics

        date_from, date_to = self.period()
        username = self._username()
        self.message.clear_message()
        self.show_button.setEnabled(False)
        self.loading = True

        def done(stats) -> None:
            self.loading = False
            self.show_button.setEnabled(True)
            self.show_statistics(stats, (date_from, date_to, username))

        def failed(text: str) -> None:
            self.loading = False
            self.show_button.setEnabled(True)
            self.message.error(text)

        return self.jobs.start(
            "Đang thống kê hồ sơ…",
            lambda: period_statistics(self.ctx, date_from, date_to, clerk=username),
            done,
            failed,
        )

    def show_statistics(self, stats, shown_for: tuple) -> None:
        self.stats, self.shown_for = stats, shown_for
        t, s = stats.totals, stats.satisfaction
        percent = f" — đúng hạn {t.in_time_percent:.1f} %".replace(".", ",") if t.resolved else ""
        self.summary.setText(
            f"<b>{stats.period_vi().capitalize()}</b> ({stats.unit_name}): "
            f"tiếp nhận <b>{t.received}</b>, từ chối {t.refused}, rút {t.withdrawn}; "
            f"đã giải quyết <b>{t.resolved}</b> (trước hạn {t.early}, đúng hạn {t.on_time}, "
            f"<span style='color:#b3261e'>quá hạn {t.late}</span>){percent}; "
            f"đã trả {t.returned}. Đang giải quyết lúc {stats.cutoff_vi()}: <b>{t.open}</b>, "
            f"<span style='color:#b3261e'>quá hạn {t.overdue}</span>."
        )
        self._fill(self.sector_table, [(r.name, r.counts) for r in stats.by_sector], t)
        self._fill(
            self.procedure_table,
            [(f"{r.key} — {r.name}", r.counts) for r in stats.by_procedure],
            t,
        )
        self.chart.set_rows(
            [(r.name, [getattr(r.counts, key) for key, *_ in SERIES]) for r in stats.by_sector]
        )
        for key, label in self.rating_labels.items():
            value = getattr(s, key)
            share = s.percent(key) if key != "returned" else None
            label.setText(f"{value}" + (f" ({share:.1f} %)".replace(".", ",") if share else ""))
        self._fill_late(stats)

    def _fill(self, table: QTableWidget, rows, total) -> None:
        with _filling(table):
            self._fill_counts(table, rows, total)

    def _fill_counts(self, table: QTableWidget, rows, total) -> None:
        rows = [*rows, ("Tổng cộng", total)] if rows else []
        table.setRowCount(len(rows))
        for row, (name, counts) in enumerate(rows):
            table.setItem(row, 0, _item(name))
            table.item(row, 0).setToolTip(name)
            for column, (key, _label) in enumerate(TABLE_COLUMNS, start=1):
                table.setItem(row, column, _item(getattr(counts, key), number=True))
            if row == len(rows) - 1:
                for column in range(table.columnCount()):
                    font = table.item(row, column).font()
                    font.setBold(True)
                    table.item(row, column).setFont(font)

    def _fill_late(self, stats) -> None:
        late = stats.late
        with_apology = sum(1 for d in late if d.apology_at is not None)
        title = f"Hồ sơ quá hạn ({len(late)}; đã có Phiếu xin lỗi: {with_apology})"
        if late and not stats.names_shown:
            title += " — họ tên người nộp chỉ hiện với lãnh đạo bộ phận"
        if len(late) > LATE_SHOWN:
            title += f" — hiện {LATE_SHOWN} hồ sơ đầu, xuất Excel để xem đủ"
        self.late_box.setTitle(title)
        with _filling(self.late_table):
            self._fill_late_rows(late[:LATE_SHOWN])

    def _fill_late_rows(self, late) -> None:
        self.late_table.setRowCount(len(late))
        for row, d in enumerate(late):
            values = (
                d.code,
                d.procedure,
                d.applicant,
                fmt_when(d.appointment_at, weekday=False),
                fmt_when(d.resolved_at, weekday=False),
                d.state_vi,
                d.working_days_late,
                d.apology_vi,
            )
            for column, value in enumerate(values):
                item = _item(value, number=column == 6)
                if column == 7 and d.apology_at is None:
                    item.setForeground(QColor("#b3261e"))
                self.late_table.setItem(row, column, item)

    # -- exports ---------------------------------------------------------------------------

    def _ask_path(self, title: str, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, title, suggested, "Sổ tính Excel (*.xlsx)"
        )
        return path

    def _folder(self) -> Path:
        from counter_app.services.settings import load_settings

        configured = load_settings(self.ctx).pdf_folder
        folder = Path(configured) if configured else self.ctx.data_dir / "prints"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _target(self, title: str, name: str, path: str | Path | None) -> Path | None:
        if path is None:
            path = self.choose_path(title, str(self._folder() / name))
            if not path:
                return None
        path = Path(path)
        return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")

    def export_statistics(self, path: str | Path | None = None) -> int | None:
        from counter_app.services.reports import export_statistics

        date_from, date_to = self.period()
        out = self._target(
            "Xuất thống kê ra Excel", f"thong-ke-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx", path
        )
        if out is None:
            return None
        username = self._username()
        reuse = self.stats if self.shown_for == (date_from, date_to, username) else None

        def work():
            return export_statistics(
                self.ctx, date_from, date_to, out, clerk=username, statistics=reuse
            )

        return self.jobs.start("Đang xuất thống kê ra Excel…", work, self._exported, self._failed)

    def export_register(self, path: str | Path | None = None) -> int | None:
        from counter_app.services.reports import export_register_book

        clerk = self.clerk()
        if clerk is not None and not clerk.is_supervisor:
            self.message.error(
                "Sổ theo dõi hồ sơ có họ tên, địa chỉ người nộp: chỉ lãnh đạo bộ phận hoặc quản "
                "trị viên mới được xuất; hãy nhờ người có quyền thực hiện."
            )
            return None
        date_from, date_to = self.period()
        out = self._target(
            "Xuất sổ theo dõi hồ sơ ra Excel",
            f"so-theo-doi-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx",
            path,
        )
        if out is None:
            return None
        username = self._username()
        return self.jobs.start(
            "Đang xuất sổ theo dõi hồ sơ…",
            lambda: export_register_book(self.ctx, date_from, date_to, out, clerk=username),
            self._exported,
            self._failed,
        )

    def _exported(self, exported) -> None:
        self.last_export = exported.path
        self.message.info(f"{exported.summary_vi()}.")

    def _failed(self, text: str) -> None:
        self.message.error(text)
