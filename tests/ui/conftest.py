import json

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from support import DATA


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


@pytest.fixture
def typist():
    return type_text


@pytest.fixture(autouse=True)
def no_unexpected_errors():
    """A traceback caught by the window (shown as "lỗi không mong đợi") fails the test."""
    from counter_app.ui.common import UNEXPECTED

    UNEXPECTED.clear()
    yield
    assert UNEXPECTED == [], UNEXPECTED[0] if UNEXPECTED else ""


ADMIN_PASSWORD = "mat-khau-quan-tri"
CLERK_PASSWORD = "lan-123456"


@pytest.fixture
def desk_ctx(ctx, tmp_path):
    """A set-up station with the test catalog, an administrator and a clerk with passwords,
    printing to PDF files only."""
    from counter_app.services import clerks, settings
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    admin = clerks.set_first_admin_password(ctx, full_name="Lê Văn Quản", password=ADMIN_PASSWORD)
    clerks.create_clerk(
        ctx, username="lan.nt", full_name="Nguyễn Thị Lan", password=CLERK_PASSWORD, acting=admin
    )
    current = settings.load_settings(ctx)
    current.print_mode = "pdf"
    current.pdf_folder = str(tmp_path / "prints")
    settings.save_settings(ctx, current, acting=admin)
    return ctx


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


@pytest.fixture
def window(qtbot, desk_ctx):
    window = open_window(qtbot, desk_ctx)
    sign_in(qtbot, window, "lan.nt", CLERK_PASSWORD)
    assert window.desk is not None and window.clerk.username == "lan.nt"
    yield window
    window.jobs.wait()
    window.close()
