"""The real entry point on a set-up office (`counter-app --data-dir DIR`, ui.launch's fast start):
the first frame is the sign-in form, focus in the username field, drawn before any heavy module
(SQLAlchemy, Alembic, the sync client, reportlab ...) is imported and before PySide6's `Qt`
namespace is touched (its first use builds every `Qt.*` enum). Right after that frame the
window is completed: menus with the F-keys and "Trợ giúp › Giới thiệu", the status bar; what
the clerk typed meanwhile is kept, and signing in opens the desk with all its tabs."""

import json
import os
import subprocess
import sys
import textwrap

from support_ui import CLERK_PASSWORD

SCRIPT = textwrap.dedent(
    """
    import gc, enum, json, os, sys

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLineEdit, QMenuBar, QWidget

    from counter_app import cli
    from counter_app.ui import first_frame, main

    HEAVY = (
        "sqlalchemy", "alembic", "requests", "pydantic", "reportlab", "holidays", "argon2",
        "counter_app.models", "counter_app.services.context", "counter_app.ui.common",
        "counter_app.ui.access", "counter_app.ui.about", "counter_app.ui.scanner",
    )
    # Only the first paint completes the window here (no fallback, no early sync start).
    first_frame.FALLBACK_MS = main.SYNC_START_MS = main.WARM_UP_MS = 600_000
    folder, password = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    seen = {}


    def qt_enums():
        return sum(
            1 for o in gc.get_objects()
            if isinstance(o, enum.EnumMeta) and o.__module__.startswith("PySide6")
            and o.__qualname__.startswith("Qt.")
        )


    def the_window():
        return next(w for w in app.topLevelWidgets() if isinstance(w, main.MainWindow))


    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched, event):
            if (
                not self.done and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget) and isinstance(watched.window(), main.MainWindow)
            ):
                self.done = True
                window = watched.window()
                seen["at_paint"] = {
                    "heavy": [name for name in HEAVY if name in sys.modules],
                    "qt_enums": qt_enums(),
                    "complete": window.completed,
                    "menu_bar": window.findChild(QMenuBar) is not None,
                }
                QTimer.singleShot(0, first_frame_drawn)  # before the window's own completion
            return False


    def first_frame_drawn():
        window = the_window()
        focus = app.focusWidget()
        seen["first_frame"] = {
            "complete": window.completed,
            "focus_is_username": focus is window.sign_in_screen.username,
        }
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeyEvent

        def key(kind, char):
            return QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)

        for index, char in enumerate("lan.nt"):
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                if index < 3:  # typed at once
                    app.sendEvent(focus, key(kind, char))
                else:  # queued behind the window's completion, as keys typed meanwhile
                    app.postEvent(focus, key(kind, char))
        poll.start()


    def check_later():
        window = the_window()
        screen = window.sign_in_screen
        if not (window.completed and screen.username.completer() is not None):
            return  # the context is still being opened
        poll.stop()
        seen["later"] = {
            "username": screen.username.text(),
            "focus_is_username": app.focusWidget() is screen.username,
            "menus": [a.text() for a in window.menuBar().actions()],
            "help": [a.text() for a in window.menuBar().actions()[-1].menu().actions()],
            "shortcuts": sorted(
                a.shortcut().toString() for a in window.actions() if not a.shortcut().isEmpty()
            ),
            "status_bar": window.clerk_label.text(),
        }
        screen.password.setText(password)
        screen.submit()
        desk = window.desk
        seen["signed_in"] = {
            "clerk": window.clerk.username if window.clerk else None,
            "tabs": [desk.tabText(i) for i in range(desk.count())] if desk else [],
            "status_bar": window.clerk_label.text(),
        }
        window.close()


    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check_later)
    probe = FirstPaint()
    app.installEventFilter(probe)
    QTimer.singleShot(90_000, lambda: os._exit(3))  # never hangs the test run
    code = cli.main(["--data-dir", folder])
    print(json.dumps({"code": code, **seen}, ensure_ascii=False), flush=True)
    """
)


def test_first_frame_is_light_and_the_window_is_completed_after_it(desk_ctx):
    folder = desk_ctx.data_dir
    desk_ctx.db.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), CLERK_PASSWORD],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["code"] == 0
    assert seen["at_paint"] == {
        "heavy": [],
        "qt_enums": 0,
        "complete": False,
        "menu_bar": False,
    }
    assert seen["first_frame"] == {"complete": False, "focus_is_username": True}
    later = seen["later"]
    assert later["username"] == "lan.nt"  # three keys at once, three queued: none lost
    assert later["focus_is_username"]
    assert later["menus"] == ["Làm &việc", "Trợ &giúp"]
    assert later["help"] == ["&Giới thiệu"]
    for key in ("F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "Ctrl+L", "Ctrl+Q"):
        assert key in later["shortcuts"], later["shortcuts"]
    assert later["status_bar"] == "Chưa đăng nhập"
    signed_in = seen["signed_in"]
    assert signed_in["clerk"] == "lan.nt"
    assert "Thống kê  F8" in signed_in["tabs"] and len(signed_in["tabs"]) == 7
    assert signed_in["status_bar"].startswith("Cán bộ: Nguyễn Thị Lan")


def test_smoke_closes_the_fast_started_window_at_its_first_paint(desk_ctx):
    """`--smoke` closes the window before it is completed: closing completes it (and waits
    for the database) instead of hanging on a context nobody opens."""
    folder = desk_ctx.data_dir
    desk_ctx.db.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "counter_app", "--data-dir", str(folder), "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "đã hiện sau" in result.stdout
