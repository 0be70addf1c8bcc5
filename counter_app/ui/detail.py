"""Hồ sơ: every field of one dossier, its status history as a timeline (changes that lost a
sync conflict marked), its scanned documents, reprints of any form, and what the counter may
do next (supplement received, withdrawal, apology letter, agency steps recorded at the counter,
hand back).

Scans are attached to a row of the document list, from a file or from the newest files of the
folder the office scanner saves into; the copy (and its SHA-256) runs on a worker thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.registration import CHANNELS, RETURN_METHODS
from counter_app.services.context import Context
from counter_app.ui.common import MessageBar, fmt_date, fmt_money, fmt_when, guarded, heading

SCAN_FILTER = "Bản quét (*.pdf *.jpg *.jpeg *.png *.PDF *.JPG *.JPEG *.PNG)"
WHOLE_DOSSIER = "Cả hồ sơ (giấy tờ khác)"
CONFLICT_COLOR = QColor("#b3261e")

FORM_CHOICES = {
    "01": "Mẫu 01 – Giấy tiếp nhận và hẹn trả kết quả",
    "02": "Mẫu 02 – Phiếu yêu cầu bổ sung",
    "03": "Mẫu 03 – Phiếu từ chối tiếp nhận",
    "04": "Mẫu 04 – Phiếu xin lỗi và hẹn lại",
    "05": "Mẫu 05 – Phiếu kiểm soát quá trình",
}
AGENCY_STEPS = {
    "processing": "Đang xử lý",
    "result_ready": "Có kết quả, chờ trả",
    "financial_obligation": "Chờ nghĩa vụ tài chính",
    "supplement_requested": "Cơ quan yêu cầu bổ sung",
    "stopped": "Dừng xử lý",
}


def _value(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DetailScreen(QWidget):
    print_requested = Signal(str, str, dict)  # code, form, extra arguments
    hand_back_requested = Signal(str)
    changed = Signal(str)

    def __init__(self, ctx: Context, clerk_username, jobs=None) -> None:
        super().__init__()
        self.ctx = ctx
        self.clerk_username = clerk_username
        self.jobs = jobs  # counter_app.ui.workers.Jobs: attachments are copied off the GUI thread
        self.dossier: dict | None = None
        self.scan_dialog: ScanFolderDialog | None = None
        self.open_url = QDesktopServices.openUrl  # replaced in tests

        self.title = heading("Hồ sơ")
        self.status = QLabel("")
        self.status.setStyleSheet("font-size:12pt; font-weight:600; color:#0b4f8a;")
        self.fields = {
            name: _value()
            for name in (
                "procedure",
                "applicant",
                "id",
                "address",
                "contact",
                "received",
                "appointment",
                "sets",
                "return",
                "fee",
                "clerk",
                "rating",
            )
        }
        self.documents = QTableWidget(0, 6)
        self.documents.setHorizontalHeaderLabels(
            ("Đã nhận", "Tên giấy tờ", "Bản chính", "Bản sao CT", "Bản photo", "Bản quét")
        )
        self.documents.verticalHeader().hide()
        self.documents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.documents.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.attach_target = QComboBox()
        self.attachments = QTableWidget(0, 5)
        self.attachments.setHorizontalHeaderLabels(("Tên tệp", "Giấy tờ", "Cỡ", "Ngày", "Đã gửi"))
        self.attachments.verticalHeader().hide()
        self.attachments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attachments.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attachments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachments.setWordWrap(False)
        self.attachments.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.attachments.verticalHeader().setDefaultSectionSize(24)
        self.attachments.setMinimumHeight(72)
        header = self.attachments.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.attachments.activated.connect(lambda _index: self.open_attachment())
        self.attach_file_button = QPushButton("Đính kèm tệ&p…")
        self.attach_scan_button = QPushButton("Từ thư mục máy &quét…")
        self.open_attachment_button = QPushButton("&Mở bản quét")
        self.history = QTreeWidget()
        self.history.setHeaderLabels(("Thời điểm", "Trạng thái", "Ghi chú", "Cán bộ"))
        self.history.setRootIsDecorated(False)
        self.history.setWordWrap(True)  # a conflict's explanation is a sentence
        self.history.header().setStretchLastSection(False)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.form = QComboBox()
        for key, label in FORM_CHOICES.items():
            self.form.addItem(label, key)
        self.print_button = QPushButton("&In lại mẫu đã chọn")
        self.note = QLineEdit(placeholderText="lý do, ghi chú")
        self.new_appointment = QLineEdit(placeholderText="hẹn mới dd/mm/yyyy hh:mm (Mẫu 04)")
        self.supplement_button = QPushButton("Đã nhận hồ sơ &bổ sung")
        self.withdraw_button = QPushButton("Công dân &rút hồ sơ")
        self.apology_button = QPushButton("In phiếu &xin lỗi, hẹn lại (Mẫu 04)")
        self.hand_back_button = QPushButton("&Trả kết quả…")
        self.agency_step = QComboBox()
        for key, label in AGENCY_STEPS.items():
            self.agency_step.addItem(label, key)
        self.agency_button = QPushButton("&Ghi nhận bước của cơ quan giải quyết")
        self.message = MessageBar()
        self._layout()
        self.print_button.clicked.connect(self.reprint)
        self.supplement_button.clicked.connect(self.supplement_received)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.apology_button.clicked.connect(self.apology)
        self.hand_back_button.clicked.connect(
            lambda: self.dossier and self.hand_back_requested.emit(self.dossier["code"])
        )
        self.agency_button.clicked.connect(self.agency)
        self.attach_file_button.clicked.connect(lambda: self.attach_file())
        self.attach_scan_button.clicked.connect(self.attach_from_scan_folder)
        self.open_attachment_button.clicked.connect(self.open_attachment)

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch()
        top.addWidget(self.status)
        layout.addLayout(top)
        middle = QHBoxLayout()
        info = QGroupBox("Thông tin hồ sơ")
        form = QFormLayout(info)
        form.setVerticalSpacing(3)
        for label, name in (
            ("Thủ tục:", "procedure"),
            ("Người nộp:", "applicant"),
            ("Giấy tờ:", "id"),
            ("Địa chỉ:", "address"),
            ("Liên hệ:", "contact"),
            ("Tiếp nhận:", "received"),
            ("Hẹn trả:", "appointment"),
            ("Số bộ, hình thức:", "sets"),
            ("Trả kết quả:", "return"),
            ("Lệ phí:", "fee"),
            ("Cán bộ tiếp nhận:", "clerk"),
            ("Đánh giá:", "rating"),
        ):
            form.addRow(label, self.fields[name])
        left = QVBoxLayout()
        left.addWidget(info, 0)
        scans = QGroupBox("Bản quét đính kèm")
        box = QVBoxLayout(scans)
        target = QHBoxLayout()
        target_label = QLabel("Đính kèm vào:")
        target_label.setBuddy(self.attach_target)
        target.addWidget(target_label)
        target.addWidget(self.attach_target, 1)
        box.addLayout(target)
        # The table beside its buttons: the screen must fit a 1366x768 monitor.
        row = QHBoxLayout()
        row.addWidget(self.attachments, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.attach_scan_button)
        buttons.addWidget(self.attach_file_button)
        buttons.addWidget(self.open_attachment_button)
        buttons.addStretch()
        row.addLayout(buttons)
        box.addLayout(row, 1)
        box.setContentsMargins(6, 4, 6, 4)
        left.addWidget(scans, 1)
        middle.addLayout(left, 5)
        right = QVBoxLayout()
        documents = QGroupBox("Giấy tờ đã nhận")
        QVBoxLayout(documents).addWidget(self.documents)
        right.addWidget(documents, 2)
        history = QGroupBox("Quá trình xử lý")
        QVBoxLayout(history).addWidget(self.history)
        right.addWidget(history, 3)
        middle.addLayout(right, 6)
        layout.addLayout(middle, 1)
        layout.addWidget(self.message)
        actions = QGroupBox("Thao tác")
        grid = QGridLayout(actions)
        grid.addWidget(self.form, 0, 0)
        grid.addWidget(self.print_button, 0, 1)
        grid.addWidget(self.hand_back_button, 0, 2)
        note = QLabel("Lý do, &ghi chú:")
        note.setBuddy(self.note)
        grid.addWidget(note, 1, 0)
        grid.addWidget(self.note, 1, 1)
        grid.addWidget(self.new_appointment, 1, 2)
        grid.addWidget(self.supplement_button, 2, 0)
        grid.addWidget(self.withdraw_button, 2, 1)
        grid.addWidget(self.apology_button, 2, 2)
        grid.addWidget(self.agency_step, 3, 0)
        grid.addWidget(self.agency_button, 3, 1)
        layout.addWidget(actions)

    def show_dossier(self, code: str) -> bool:
        from counter_app.services.ratings import rating_of
        from counter_app.services.search import show_dossier

        ok, dossier = guarded(self.message, show_dossier, self.ctx, code)
        if not ok:
            return False
        self.message.clear_message()
        self.dossier = d = dossier
        a = d["applicant"]
        self.title.setText(f"Hồ sơ {d['code']}")
        self.status.setText(d["status_label"])
        f = self.fields
        f["procedure"].setText(
            f"{d['procedure']['name']} ({d['procedure']['code']}, "
            f"phiên bản {d['procedure']['version']})"
        )
        f["applicant"].setText(
            f"<b>{a['full_name']}</b>"
            + (f", sinh {fmt_date(a['date_of_birth'])}" if a["date_of_birth"] else "")
            + (f", {a['gender']}" if a["gender"] else "")
        )
        f["id"].setText(a["id_number"] or "—")
        f["address"].setText(a["address"] or "—")
        f["contact"].setText(" · ".join(x for x in (a["phone"], a["email"]) if x) or "—")
        f["received"].setText(fmt_when(d["received_at"]))
        f["appointment"].setText(fmt_when(d["appointment_at"]))
        f["sets"].setText(f"{d['sets']} bộ, {CHANNELS.get(d['channel'], d['channel'])}")
        f["return"].setText(RETURN_METHODS.get(d["return_method"], d["return_method"]))
        f["fee"].setText(fmt_money(d["fee"]))
        f["clerk"].setText(d["receiving_clerk"])
        ok, rating = guarded(self.message, rating_of, self.ctx, d["code"])
        f["rating"].setText(
            (rating["level_label"] + (f" — {rating['reason']}" if rating["reason"] else ""))
            if rating
            else "—"
        )
        scans = d.get("attachments", [])
        self.documents.setRowCount(len(d["documents"]))
        for row, doc in enumerate(d["documents"]):
            count = sum(1 for a in scans if a["document_position"] == row + 1)
            values = (
                "✓" if doc["received"] else "✗",
                doc["name"],
                doc["original"],
                doc["certified_copy"],
                doc["photocopy"],
                f"{count} tệp" if count else "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if column != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.documents.setItem(row, column, item)
        self._show_attachments(d)
        self._show_history(d)
        conflicts = d.get("conflicts", [])
        if conflicts:
            self.message.warn(
                f"⚠ Có {len(conflicts)} thay đổi không được áp dụng khi đồng bộ với máy chủ "
                "tỉnh (dòng đỏ trong quá trình xử lý): " + " ".join(c["message"] for c in conflicts)
            )
        status = d["status"]
        self.supplement_button.setEnabled(status == "supplement_requested")
        self.withdraw_button.setEnabled(
            status in ("received", "processing", "supplement_requested", "financial_obligation")
        )
        self.hand_back_button.setEnabled(status in ("result_ready", "stopped"))
        self.note.clear()
        self.new_appointment.clear()
        return True

    def _show_history(self, d: dict) -> None:
        self.history.clear()
        for event in d["history"]:
            note = event["reason"]
            if event["appointment_at"] and event["action"] != "receive":
                note = (
                    note + "; " if note else ""
                ) + f"hẹn mới {fmt_when(event['appointment_at'])}"
            status = event["to_status_label"]
            conflict = event.get("conflict")
            if conflict:
                status = f"⚠ {status}"
                note = f"Xung đột đồng bộ: {conflict['message']}" + (f" ({note})" if note else "")
            item = QTreeWidgetItem(
                self.history,
                [fmt_when(event["at"], weekday=False), status, note, event["clerk"] or ""],
            )
            if conflict:
                self._mark_conflict(item, conflict["message"])
        for conflict in d.get("conflicts", []):
            if conflict.get("in_history"):
                continue
            item = QTreeWidgetItem(
                self.history,
                [
                    fmt_when(conflict["detected_at"], weekday=False),
                    "⚠ Xung đột đồng bộ",
                    conflict["message"],
                    "",
                ],
            )
            self._mark_conflict(item, conflict["message"])

    def _mark_conflict(self, item: QTreeWidgetItem, message: str) -> None:
        item.setData(0, Qt.ItemDataRole.UserRole, "conflict")
        for column in range(self.history.columnCount()):
            item.setForeground(column, QBrush(CONFLICT_COLOR))
            item.setToolTip(
                column,
                "Thay đổi này không được áp dụng khi đồng bộ với máy chủ tỉnh: " + message,
            )

    # -- scanned documents ----------------------------------------------------------------

    def _show_attachments(self, d: dict) -> None:
        same = getattr(self, "_target_code", None) == d["code"]
        previous = self.attach_target.currentData() if same and self.attach_target.count() else 1
        self._target_code = d["code"]
        self.attach_target.clear()
        for position, doc in enumerate(d["documents"], start=1):
            self.attach_target.addItem(f"{position}. {doc['name']}", position)
        self.attach_target.addItem(WHOLE_DOSSIER, 0)
        index = self.attach_target.findData(previous)
        self.attach_target.setCurrentIndex(max(0, index))
        scans = d.get("attachments", [])
        self.attachments.setRowCount(len(scans))
        for row, scan in enumerate(scans):
            from counter_app.services.attachments import human_size

            values = (
                scan["filename"],
                scan["document_name"] or "Cả hồ sơ",
                human_size(scan["size"]),
                fmt_date(scan["attached_at"]),
                "✓" if scan["uploaded"] else "chưa",
            )
            tip = (
                f"{scan['filename']}\nĐính kèm lúc {fmt_when(scan['attached_at'], weekday=False)}"
                + ("; đã gửi lên máy chủ tỉnh" if scan["uploaded"] else "; chưa gửi lên máy chủ")
                + f"\nSHA-256: {scan['sha256']}"
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, scan["path"])
                item.setToolTip(tip)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.attachments.setItem(row, column, item)
        if scans:
            self.attachments.selectRow(len(scans) - 1)
        self.open_attachment_button.setEnabled(bool(scans))

    def attach_file(self, path: str | Path | None = None) -> None:
        """Attach a file chosen in a file dialog (or the given path) to the chosen row."""
        from PySide6.QtWidgets import QFileDialog

        if self.dossier is None:
            return
        if path is None:
            start = self._scan_folder() or str(Path.home())
            path, _ = QFileDialog.getOpenFileName(self, "Chọn bản quét", start, SCAN_FILTER)
            if not path:
                return
        self.start_attach(Path(path))

    def _scan_folder(self) -> str:
        from counter_app.services.settings import load_settings

        try:
            return load_settings(self.ctx).scan_folder
        except Exception:
            return ""

    def attach_from_scan_folder(self) -> None:
        """Show the newest files of the scanner's folder; the one picked is attached."""
        from counter_app.services.attachments import scan_folder_files

        if self.dossier is None:
            return
        folder = self._scan_folder()
        if not folder:
            self.message.error(
                "Chưa đặt thư mục máy quét; quản trị viên chọn thư mục đó trong Cài đặt (F9), "
                "hoặc bấm «Đính kèm tệp…» để chọn tệp."
            )
            return
        ok, files = guarded(self.message, scan_folder_files, folder)
        if not ok:
            return
        if not files:
            self.message.error(
                f"Thư mục máy quét «{folder}» chưa có tệp PDF, JPG hoặc PNG nào; hãy quét rồi "
                "thử lại."
            )
            return
        self.scan_dialog = ScanFolderDialog(folder, files, self)
        self.scan_dialog.picked.connect(lambda chosen: self.start_attach(Path(chosen)))
        self.scan_dialog.open()

    def start_attach(self, path: Path) -> None:
        from counter_app.services.attachments import add_attachment

        if self.dossier is None:
            return
        code, clerk = self.dossier["code"], self.clerk_username()
        position = self.attach_target.currentData() or None
        target = (
            f"giấy tờ «{self.dossier['documents'][position - 1]['name']}»" if position else "hồ sơ"
        )

        def work() -> dict:
            return add_attachment(self.ctx, code, path, clerk=clerk, document_position=position)

        def done(added: dict) -> None:
            from counter_app.services.attachments import human_size

            if self.dossier is not None and self.dossier["code"] == code:
                self.show_dossier(code)
            self.message.info(
                f"Đã đính kèm «{added['filename']}» ({human_size(added['size'])}) vào "
                f"{target}; tệp sẽ được gửi lên máy chủ tỉnh ở lần đồng bộ tới."
            )
            self.changed.emit(code)

        if self.jobs is None:  # no window around it (a bare screen): do it here
            ok, added = guarded(self.message, work)
            if ok:
                done(added)
            return
        self.message.info(f"Đang sao chép «{path.name}» vào thư mục dữ liệu…")
        self.jobs.start(f"Đang sao chép bản quét {path.name}…", work, done, self.message.error)

    def open_attachment(self) -> None:
        row = self.attachments.currentRow()
        item = self.attachments.item(row, 0) if row >= 0 else None
        if item is None:
            self.message.error("Chọn một bản quét trong danh sách trước.")
            return
        path = Path(item.data(Qt.ItemDataRole.UserRole))
        if not path.is_file():
            self.message.error(
                f"Không tìm thấy tệp của bản quét «{item.text()}» trong thư mục dữ liệu "
                f"({path}); hãy báo quản trị viên."
            )
            return
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            self.message.error(
                f"Máy này chưa có phần mềm mở được tệp «{item.text()}» (cần trình đọc PDF "
                "hoặc xem ảnh)."
            )

    def _act(self, fn, *args, done: str, **kwargs) -> None:
        if self.dossier is None:
            return
        ok, _ = guarded(
            self.message,
            fn,
            self.ctx,
            self.dossier["code"],
            *args,
            clerk=self.clerk_username(),
            **kwargs,
        )
        if ok:
            self.show_dossier(self.dossier["code"])
            self.message.info(done)
            self.changed.emit(self.dossier["code"])

    def supplement_received(self) -> None:
        from counter_app.services.transitions import receive_supplement

        self._act(receive_supplement, done="Đã nhận hồ sơ bổ sung; thời hạn được tính tiếp.")

    def withdraw(self) -> None:
        from counter_app.services.transitions import withdraw

        self._act(withdraw, reason=self.note.text(), done="Đã ghi nhận công dân rút hồ sơ.")

    def agency(self) -> None:
        from counter_app.services.transitions import agency_set_status

        self._act(
            agency_set_status,
            self.agency_step.currentData(),
            note=self.note.text(),
            done="Đã ghi nhận bước xử lý của cơ quan giải quyết.",
        )

    def reprint(self) -> None:
        if self.dossier is not None:
            self.print_requested.emit(self.dossier["code"], self.form.currentData(), {})

    def apology(self) -> None:
        from datetime import datetime

        from counter_app.domain.errors import InvalidInput
        from counter_app.domain.office_time import OFFICE_TZ

        if self.dossier is None:
            return
        text = self.new_appointment.text().strip()
        try:
            moment = datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=OFFICE_TZ)
        except ValueError:
            self.message.error(
                InvalidInput(
                    f"Ngày hẹn mới «{text}» không đúng dạng dd/mm/yyyy hh:mm (ví dụ 10/12/2026 "
                    "15:00)."
                ).message
            )
            self.new_appointment.setFocus()
            return
        if not self.note.text().strip():
            self.message.error("Ghi lý do trễ hẹn vào ô «Lý do, ghi chú» trước khi in Mẫu 04.")
            self.note.setFocus()
            return
        self.print_requested.emit(
            self.dossier["code"], "04", {"new_appointment": moment, "reason": self.note.text()}
        )


class ScanFolderDialog(QDialog):
    """The newest files of the scanner's folder, newest first; Enter attaches the chosen one."""

    picked = Signal(str)

    def __init__(self, folder: str, files: list[dict], parent: QWidget | None = None) -> None:
        from counter_app.services.attachments import human_size

        super().__init__(parent)
        self.setWindowTitle("Chọn bản quét vừa quét")
        self.files = files
        self.table = QTableWidget(len(files), 3)
        self.table.setHorizontalHeaderLabels(("Tên tệp", "Dung lượng", "Quét lúc"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, entry in enumerate(files):
            values = (
                entry["filename"],
                human_size(entry["size"]),
                fmt_when(entry["modified_at"], weekday=False),
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.selectRow(0)
        self.table.activated.connect(lambda _index: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Đính kèm tệp đã chọn")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Các tệp mới nhất trong thư mục máy quét <b>{folder}</b>:"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 380)
        self.table.setFocus()

    def accept(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.picked.emit(self.files[row]["path"])
        super().accept()
