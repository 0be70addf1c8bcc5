"""The sign-in / lock screen, drawn in the window's first frame (ui.launch's fast start).

Kept apart from ui.access (the set-up wizard) and ui.common so that drawing it imports no more
than QtWidgets: nothing here touches PySide6's `Qt` namespace before the form is on screen
(the first access builds every `Qt.*` enum, about 0.1 s), and the service calls are imported
when the clerk signs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.message_bar import MessageBar

if TYPE_CHECKING:
    from counter_app.services.context import Context

PASSWORD_HINT = "ít nhất 6 ký tự"


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(PASSWORD_HINT)
    return field


class CentredBox(QWidget):
    """A narrow form in the middle of the window."""

    def __init__(self, title: str) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.addStretch()
        self.box = QFrame()
        self.box.setFrameShape(QFrame.Shape.StyledPanel)
        self.box.setMaximumWidth(520)
        self.box.setMinimumWidth(440)
        self.layout_ = QVBoxLayout(self.box)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.form = QFormLayout()
        self.message = MessageBar()
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.message)
        row = QHBoxLayout()  # centred by a stretch on each side (no Qt.AlignmentFlag)
        row.addStretch()
        row.addWidget(self.box)
        row.addStretch()
        outer.addLayout(row)
        outer.addStretch()


class SignInScreen(CentredBox):
    """Sign in, or unlock after the idle lock (the work in progress stays as it was)."""

    signed_in = Signal(object)  # SignedIn

    def __init__(self, ctx: Context, unit_name: str) -> None:
        super().__init__(unit_name or "Quầy Một Cửa")
        self.ctx = ctx
        self.subtitle.setText("Đăng nhập để làm việc.")
        self.username = QLineEdit(placeholderText="tên đăng nhập")
        self.password = password_field()
        self.password.setPlaceholderText("")
        self.form.addRow("&Tên đăng nhập:", self.username)
        self.form.addRow("&Mật khẩu:", self.password)
        self.button = QPushButton("Đăng &nhập")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.layout_.addWidget(self.button)

    def refresh_usernames(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QCompleter

        from counter_app.services.clerks import list_clerks

        names = [c.username for c in list_clerks(self.ctx)]
        completer = QCompleter(names, self.username)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.username.setCompleter(completer)

    def prepare(self, *, locked_by: str | None = None) -> None:
        self.password.clear()
        self.message.clear_message()
        if locked_by:
            self.subtitle.setText(
                f"Màn hình đã khóa. {locked_by} (hoặc cán bộ khác) đăng nhập lại để tiếp tục; "
                "hồ sơ đang nhập dở vẫn được giữ nguyên."
            )
        else:
            self.subtitle.setText("Đăng nhập để làm việc.")
        if self.username.text():
            self.password.setFocus()
        else:
            self.username.setFocus()

    def submit(self) -> None:
        from counter_app.services.clerks import sign_in
        from counter_app.ui.common import guarded

        ok, clerk = guarded(
            self.message, sign_in, self.ctx, self.username.text(), self.password.text()
        )
        self.password.clear()
        if ok:
            self.message.clear_message()
            self.signed_in.emit(clerk)
        else:
            self.password.setFocus()
