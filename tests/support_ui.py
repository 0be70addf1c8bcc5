"""Helpers of the GUI tests (tests/ui) and of scripts that drive the window."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

ADMIN_PASSWORD = "mat-khau-quan-tri"
CLERK_PASSWORD = "lan-123456"


def type_text(widget, text: str) -> None:
    """Type text as a keyboard (or a barcode scanner) would, key by key.

    qtbot.keyClicks aborts the process on non-ASCII characters (QTest's qasciikey assertion),
    so Vietnamese is sent as key events that carry their text.
    """
    widget.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def open_window(qtbot, ctx):
    from counter_app.ui.main import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def sign_in(qtbot, window, username: str, password: str) -> None:
    screen = window.sign_in_screen
    assert window.stack.currentWidget() is screen
    # setText: typing would open the user-name completer's popup, which takes the window's
    # activation away on the offscreen platform.
    screen.username.setText(username)
    qtbot.keyClick(screen.username, Qt.Key.Key_Return)
    assert screen.password.hasFocus() or window.focusWidget() is screen.password
    type_text(screen.password, password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
