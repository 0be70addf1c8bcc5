"""Trả kết quả: scan the receipt, check, confirm with who collected it; then the citizen rates
the service on a window turned to them (three levels; a reason when not satisfied)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.context import Context
from counter_app.ui.common import MessageBar, fmt_when, guarded, heading

RATING_BUTTONS = (
    ("very_satisfied", "1", "RẤT HÀI LÒNG", "#1b7f3b"),
    ("satisfied", "2", "HÀI LÒNG", "#2f6db3"),
    ("dissatisfied", "3", "KHÔNG HÀI LÒNG", "#b3261e"),
)


class HandBackScreen(QWidget):
    handed_back = Signal(dict)

    def __init__(self, ctx: Context, clerk_username) -> None:
        super().__init__()
        self.ctx = ctx
        self.clerk_username = clerk_username
        self.dossier: dict | None = None
        self.code = QLineEdit(placeholderText="quét mã vạch trên giấy tiếp nhận, hoặc gõ mã hồ sơ")
        self.find_button = QPushButton("&Tìm")
        self.summary = QLabel("Quét giấy tiếp nhận của công dân để bắt đầu.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setMinimumHeight(120)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.collected_by = QLineEdit(placeholderText="họ tên người đến nhận kết quả")
        self.confirm_button = QPushButton("&Xác nhận đã trả kết quả  (Ctrl+Enter)")
        self.confirm_button.setStyleSheet("font-weight:600; padding:6px 14px;")
        self.confirm_button.setEnabled(False)
        self.message = MessageBar()

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Trả kết quả"))
        row = QHBoxLayout()
        label = QLabel("&Mã hồ sơ:")
        label.setBuddy(self.code)
        row.addWidget(label)
        row.addWidget(self.code, 1)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        box = QGroupBox("Hồ sơ")
        QVBoxLayout(box).addWidget(self.summary)
        layout.addWidget(box)
        form = QFormLayout()
        form.addRow("&Người nhận kết quả:", self.collected_by)
        layout.addLayout(form)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        layout.addStretch()

        self.code.returnPressed.connect(lambda: self.load(self.code.text()))
        self.find_button.clicked.connect(lambda: self.load(self.code.text()))
        self.collected_by.returnPressed.connect(self.confirm)
        self.confirm_button.clicked.connect(self.confirm)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.confirm)

    def load(self, code: str) -> bool:
        from counter_app.services.search import show_dossier

        self.dossier = None
        self.confirm_button.setEnabled(False)
        ok, dossier = guarded(self.message, show_dossier, self.ctx, code)
        if not ok:
            self.code.setFocus()
            self.code.selectAll()
            return False
        self.dossier = dossier
        self.code.setText(dossier["code"])
        a = dossier["applicant"]
        self.summary.setText(
            f"<b style='font-size:13pt'>{a['full_name']}</b> — {a['id_number'] or ''}<br>"
            f"{dossier['procedure']['name']}<br>Tiếp nhận {fmt_when(dossier['received_at'])}, "
            f"hẹn trả {fmt_when(dossier['appointment_at'])}<br>"
            f"Trạng thái: <b>{dossier['status_label']}</b>"
        )
        self.collected_by.setText(a["full_name"])
        ready = dossier["status"] in ("result_ready", "stopped")
        self.confirm_button.setEnabled(ready)
        if ready:
            self.message.info(
                "Kiểm tra giấy tờ tùy thân của người nhận, sửa họ tên nếu là người khác nhận "
                "thay, rồi xác nhận."
            )
            self.collected_by.setFocus()
            self.collected_by.selectAll()
        else:
            self.message.warn(
                f"Hồ sơ đang ở trạng thái «{dossier['status_label']}»: chưa có kết quả để trả."
            )
        return True

    def confirm(self) -> None:
        from counter_app.services.transitions import hand_back

        if self.dossier is None:
            self.message.error("Quét hoặc nhập mã hồ sơ trước.")
            self.code.setFocus()
            return
        ok, dossier = guarded(
            self.message,
            hand_back,
            self.ctx,
            self.dossier["code"],
            clerk=self.clerk_username(),
            collected_by=self.collected_by.text(),
        )
        if ok:
            self.dossier = None
            self.confirm_button.setEnabled(False)
            self.code.clear()
            self.collected_by.clear()
            self.summary.setText(
                f"Đã trả kết quả hồ sơ {dossier['code']}. Mời công dân đánh giá trên màn hình."
            )
            self.message.info(f"Đã trả kết quả hồ sơ {dossier['code']}.")
            self.handed_back.emit(dossier)


class RatingDialog(QDialog):
    """Turned to the citizen (on a second screen when there is one)."""

    rated = Signal(dict)

    def __init__(self, ctx: Context, dossier: dict, clerk: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.dossier, self.clerk = ctx, dossier, clerk
        self.setWindowTitle("Đánh giá mức độ hài lòng")
        self.setMinimumSize(820, 460)
        layout = QVBoxLayout(self)
        title = QLabel(
            "Ông/bà có hài lòng với việc tiếp nhận và trả kết quả hồ sơ<br>"
            f"<b>{dossier['procedure']['name']}</b>?"
        )
        title.setWordWrap(True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 17pt; margin: 12px;")
        layout.addWidget(title)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for level, key, label, colour in RATING_BUTTONS:
            button = QPushButton(f"&{key}\n{label}")
            button.setMinimumHeight(120)
            button.setStyleSheet(
                f"QPushButton {{ font-size: 17pt; font-weight: 700; color: white; "
                f"background: {colour}; border-radius: 10px; padding: 10px; }}"
                "QPushButton:focus { border: 4px solid #222; }"
            )
            button.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            row.addWidget(button)
            self.buttons[level] = button
        layout.addLayout(row)
        self.reason_label = QLabel("Xin cho biết &lý do chưa hài lòng:")
        self.reason = QLineEdit()
        self.reason_label.setBuddy(self.reason)
        self.reason.setStyleSheet("font-size: 14pt; padding: 4px;")
        self.reason_label.setStyleSheet("font-size: 14pt; margin-top: 12px;")
        self.send = QPushButton("&Gửi đánh giá")
        self.send.setStyleSheet("font-size: 13pt; padding: 6px 18px;")
        self.reason.returnPressed.connect(lambda: self.submit("dissatisfied"))
        self.send.clicked.connect(lambda: self.submit("dissatisfied"))
        for widget in (self.reason_label, self.reason, self.send):
            layout.addWidget(widget)
            widget.hide()
        self.message = MessageBar()
        layout.addWidget(self.message)
        self.skip = QPushButton("Bỏ qua (Esc)")
        self.skip.clicked.connect(self.reject)
        layout.addWidget(self.skip, alignment=Qt.AlignmentFlag.AlignRight)
        self._place()

    def _place(self) -> None:
        screens = QGuiApplication.screens()
        if len(screens) > 1:  # the screen turned to the citizen
            self.setGeometry(screens[1].availableGeometry())

    def choose(self, level: str) -> None:
        if level == "dissatisfied":
            for widget in (self.reason_label, self.reason, self.send):
                widget.show()
            self.reason.setFocus()
            return
        self.submit(level)

    def submit(self, level: str) -> None:
        from counter_app.services.ratings import rate

        ok, rating = guarded(
            self.message,
            rate,
            self.ctx,
            self.dossier["code"],
            level,
            reason=self.reason.text(),
            clerk=self.clerk,
        )
        if ok:
            self.rated.emit(rating)
            self.accept()
        elif level == "dissatisfied":
            self.reason.setFocus()
