"""Small pieces shared by the screens: Vietnamese formatting, the message bar, error guard,
and the dossier list. Qt lives in `counter_app.ui` only."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)

from counter_app.domain.errors import CounterError
from counter_app.ui.message_bar import MessageBar

log = logging.getLogger("counter_app.ui")

# Unexpected exceptions caught by `guarded` (the GUI tests fail when this is not empty).
UNEXPECTED: list[str] = []
UNEXPECTED_MESSAGE = (
    "Đã xảy ra lỗi không mong đợi; thao tác chưa được lưu. Chi tiết đã được ghi vào nhật ký, "
    "hãy báo cho quản trị viên."
)


def as_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def fmt_when(value: str | datetime | None, *, weekday: bool = True) -> str:
    """ "2026-12-01T09:00:00+07:00" -> "09:00 Thứ Ba 01/12/2026" (office time as stored)."""
    moment = as_datetime(value)
    if moment is None:
        return ""
    from counter_app.domain.calendar import WEEKDAY_NAMES_VI  # not before the first screen
    from counter_app.domain.office_time import to_office

    moment = to_office(moment)
    day = f"{WEEKDAY_NAMES_VI[moment.weekday()]} " if weekday else ""
    return f"{moment:%H:%M} {day}{moment:%d/%m/%Y}"


def fmt_date(value: str | date | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def fmt_money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng" if amount else "Không thu phí"


def unexpected(error: BaseException) -> str:
    text = "".join(traceback.format_exception(error))
    UNEXPECTED.append(text)
    log.error("unexpected error\n%s", text)
    return UNEXPECTED_MESSAGE


def error_message(error: BaseException) -> str:
    """What the clerk reads for an exception: a CounterError's sentence, never a traceback."""
    if isinstance(error, CounterError):
        return error.message
    from sqlalchemy.exc import DatabaseError

    if isinstance(error, DatabaseError):
        log.error("database error: %s", error)
        return (
            "Lỗi cơ sở dữ liệu, thao tác chưa được lưu. Kiểm tra ổ đĩa và thư mục dữ liệu rồi "
            "thử lại."
        )
    if isinstance(error, OSError):
        return f"Lỗi tệp: {error.strerror or error} ({error.filename or ''}); thao tác chưa xong."
    return unexpected(error)


def guarded(bar: MessageBar, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Run a service call; on failure show its Vietnamese message in `bar` and return False."""
    try:
        return True, fn(*args, **kwargs)
    except Exception as error:  # every failure becomes a sentence; nothing half-saved
        bar.error(error_message(error))
        return False, None


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 15pt; font-weight: 600; margin: 2px 0 6px 0;")
    return label


class DossierTable(QTableWidget):
    """A list of dossiers; Enter or a double-click asks to open one."""

    open_requested = Signal(str)
    COLUMNS = ("Mã hồ sơ", "Người nộp", "Thủ tục", "Trạng thái", "Tiếp nhận", "Hẹn trả")

    def __init__(self, *, compact: bool = False) -> None:
        # compact: code, applicant, procedure, appointment (for the half-width Today lists)
        self.shown = (0, 1, 2, 5) if compact else tuple(range(len(self.COLUMNS)))
        super().__init__(0, len(self.shown))
        self.setHorizontalHeaderLabels([self.COLUMNS[i] for i in self.shown])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setWordWrap(False)
        self.activated.connect(self._activated)
        self.dossiers: list[dict] = []

    def set_dossiers(self, dossiers: list[dict], *, now: datetime | None = None) -> None:
        # Columns sized to their contents once, after the rows are in: sized at every cell,
        # 500 rows (a busy office's waiting list) took seconds.
        header = self.horizontalHeader()
        modes = [header.sectionResizeMode(i) for i in range(self.columnCount())]
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setUpdatesEnabled(False)
        try:
            self._fill(dossiers, now)
        finally:
            for i, mode in enumerate(modes):
                header.setSectionResizeMode(i, mode)
            self.setUpdatesEnabled(True)
        if dossiers:
            self.selectRow(0)

    def _fill(self, dossiers: list[dict], now: datetime | None) -> None:
        self.dossiers = dossiers
        self.setRowCount(len(dossiers))
        for row, d in enumerate(dossiers):
            values = (
                d["code"],
                d["applicant"]["full_name"],
                d["procedure"]["name"],
                d["status_label"],
                fmt_when(d["received_at"], weekday=False),
                fmt_when(d["appointment_at"], weekday=False),
            )
            late = (
                now is not None
                and d["status"] in ("received", "processing")
                and as_datetime(d["appointment_at"]) < now
            )
            for column, value in enumerate(values[i] for i in self.shown):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, d["code"])
                if late:
                    item.setForeground(QColor("#b3261e"))
                self.setItem(row, column, item)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.open_requested.emit(self.dossiers[self.currentRow()]["code"])
            return
        super().keyPressEvent(event)

    def _activated(self, index) -> None:
        self.open_requested.emit(self.dossiers[index.row()]["code"])
