"""Tra cứu: type a name without diacritics, a code, an ID number or a phone; filter by status,
due today, overdue, received between two dates, procedure."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.status import Status
from counter_app.services.context import Context
from counter_app.ui.common import DossierTable, MessageBar, guarded, heading


class SearchScreen(QWidget):
    open_requested = Signal(str)

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.query = QLineEdit()
        self.query.setPlaceholderText(
            "Họ tên (gõ không dấu cũng được), mã hồ sơ, số giấy tờ hoặc số điện thoại; "
            "quét giấy tiếp nhận để mở hồ sơ"
        )
        self.query.setClearButtonEnabled(True)
        self.search_button = QPushButton("&Tìm")
        self.status = QComboBox()
        self.status.addItem("Mọi trạng thái", None)
        for status in Status:
            self.status.addItem(status.label_vi, int(status))
        self.due_today = QCheckBox("Đến hạn &hôm nay")
        self.overdue = QCheckBox("&Quá hạn")
        self.use_dates = QCheckBox("Tiếp nhận t&ừ ngày")
        today = QDate.currentDate()
        self.date_from = QDateEdit(
            today.addDays(-30), calendarPopup=True, displayFormat="dd/MM/yyyy"
        )
        self.date_to = QDateEdit(today, calendarPopup=True, displayFormat="dd/MM/yyyy")
        self.procedure = QComboBox()
        self.procedure.setMinimumContentsLength(30)
        self.results = DossierTable()
        self.count = QLabel("")
        self.message = MessageBar()

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Tra cứu hồ sơ"))
        row = QHBoxLayout()
        label = QLabel("Tìm (&F):")
        label.setBuddy(self.query)
        row.addWidget(label)
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        layout.addLayout(row)
        filters = QGridLayout()
        status_label = QLabel("T&rạng thái:")
        status_label.setBuddy(self.status)
        filters.addWidget(status_label, 0, 0)
        filters.addWidget(self.status, 0, 1)
        filters.addWidget(self.due_today, 0, 2)
        filters.addWidget(self.overdue, 0, 3)
        procedure_label = QLabel("Thủ tụ&c:")
        procedure_label.setBuddy(self.procedure)
        filters.addWidget(procedure_label, 1, 0)
        filters.addWidget(self.procedure, 1, 1)
        filters.addWidget(self.use_dates, 1, 2)
        dates = QHBoxLayout()
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("đến"))
        dates.addWidget(self.date_to)
        dates.addStretch()
        filters.addLayout(dates, 1, 3)
        filters.setColumnStretch(3, 1)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.count)
        layout.addWidget(self.results, 1)

        self.query.returnPressed.connect(self.run)
        self.search_button.clicked.connect(self.run)
        for box in (self.due_today, self.overdue, self.use_dates):
            box.toggled.connect(self.run)
        self.status.currentIndexChanged.connect(self.run)
        self.procedure.currentIndexChanged.connect(self.run)
        self.date_from.dateChanged.connect(lambda _: self.use_dates.isChecked() and self.run())
        self.date_to.dateChanged.connect(lambda _: self.use_dates.isChecked() and self.run())
        self.results.open_requested.connect(self.open_requested)

    def load_procedures(self) -> None:
        from counter_app.services.catalog import list_current

        self.procedure.blockSignals(True)
        self.procedure.clear()
        self.procedure.addItem("Mọi thủ tục", None)
        for p in sorted(list_current(self.ctx), key=lambda p: p.name):
            self.procedure.addItem(f"{p.name} ({p.code})", p.code)
        self.procedure.blockSignals(False)

    def run(self) -> None:
        from counter_app.services.search import search_dossiers

        if self.procedure.count() == 0:
            self.load_procedures()
        self.message.clear_message()
        status = self.status.currentData()
        ok, found = guarded(
            self.message,
            search_dossiers,
            self.ctx,
            self.query.text(),
            statuses=[status] if status else None,
            due_today=self.due_today.isChecked(),
            overdue=self.overdue.isChecked(),
            received_from=self.date_from.date().toPython() if self.use_dates.isChecked() else None,
            received_to=self.date_to.date().toPython() if self.use_dates.isChecked() else None,
            procedure_code=self.procedure.currentData(),
        )
        if ok:
            self.results.set_dossiers(found, now=self.ctx.now())
            self.count.setText(
                f"{len(found)} hồ sơ"
                + (" (hiển thị 200 hồ sơ mới nhất)" if len(found) >= 200 else "")
                + ("; Enter hoặc nhấp đúp để mở." if found else "")
            )
