"""Hồ sơ: every field of one dossier, its status history as a timeline, reprints of any form,
and what the counter may do next (supplement received, withdrawal, apology letter, agency
steps recorded at the counter, hand back)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

    def __init__(self, ctx: Context, clerk_username) -> None:
        super().__init__()
        self.ctx = ctx
        self.clerk_username = clerk_username
        self.dossier: dict | None = None

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
        self.documents = QTableWidget(0, 5)
        self.documents.setHorizontalHeaderLabels(
            ("Đã nhận", "Tên giấy tờ", "Bản chính", "Bản sao CT", "Bản photo")
        )
        self.documents.verticalHeader().hide()
        self.documents.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.documents.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(("Thời điểm", "Trạng thái", "Ghi chú", "Cán bộ"))
        self.history.setRootIsDecorated(False)
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
        middle.addWidget(info, 5)
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
        self.documents.setRowCount(len(d["documents"]))
        for row, doc in enumerate(d["documents"]):
            values = (
                "✓" if doc["received"] else "✗",
                doc["name"],
                doc["original"],
                doc["certified_copy"],
                doc["photocopy"],
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if column != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.documents.setItem(row, column, item)
        self.history.clear()
        for event in d["history"]:
            note = event["reason"]
            if event["appointment_at"] and event["action"] != "receive":
                note = (
                    note + "; " if note else ""
                ) + f"hẹn mới {fmt_when(event['appointment_at'])}"
            QTreeWidgetItem(
                self.history,
                [
                    fmt_when(event["at"], weekday=False),
                    event["to_status_label"],
                    note,
                    event["clerk"] or "",
                ],
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
