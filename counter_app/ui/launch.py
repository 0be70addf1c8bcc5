"""Opening the window fast: the sign-in form is drawn before SQLAlchemy is even imported.

On an office already set up (the usual start of a clerk's day), what the sign-in form needs
(the unit's name, whether the schema is current, whether an administrator can sign in) is read
with the standard library's sqlite3. The form is drawn at once; right after its first frame the
application's context (SQLAlchemy, the models, the schema check, the first-run seed, the daily
backup) is opened on a background thread while the clerk types. Anything that needs the
database before it is ready waits for it (a fraction of a second).

Every other start (first run, a schema to upgrade, an administrator without a password, a file
sqlite3 cannot read) takes the ordinary path: `open_context`, then the window.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

from counter_app.schema_version import SCHEMA_HEAD

DB_FILENAME = "counter.sqlite3"  # models.database.DB_FILENAME, without importing SQLAlchemy


class FirstScreen:
    """What the sign-in form shows, read before the application's context exists."""

    __slots__ = ("unit_name",)

    def __init__(self, unit_name: str) -> None:
        self.unit_name = unit_name


def peek_office(data_dir: Path) -> FirstScreen | None:
    """The sign-in form's data when the fast start applies, else None."""
    path = data_dir / DB_FILENAME
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != SCHEMA_HEAD:
            return None
        unit = connection.execute("SELECT name FROM units ORDER BY id LIMIT 1").fetchone()
        # services.clerks.needs_admin_password: some active administrator has a password.
        admin = connection.execute(
            "SELECT 1 FROM clerks WHERE active AND role = 'admin' "
            "AND password_hash IS NOT NULL AND password_hash != '' LIMIT 1"
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if unit is None or admin is None:
        return None
    return FirstScreen(unit_name=unit[0])


class DeferredContext:
    """Stands for the application's Context until `open_in_background` has opened it.

    Attribute reads are passed to the real Context, waiting for it when it is still being
    opened; an error met while opening is raised again to the caller.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._ready = threading.Event()
        self._context = None
        self._error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def open_in_background(self, then) -> None:
        """Open the context on a thread; `then(error or None)` is called on that thread."""

        def run() -> None:
            try:
                from counter_app.app import daily_backup, open_context

                self._context = open_context(self.data_dir, backup=False)
            except BaseException as error:  # reported to the window, raised on use
                self._error = error
            finally:
                self._ready.set()
            then(self._error)
            if self._error is None:
                daily_backup(self._context)  # may copy a large file: after the rest is ready

        self.thread = threading.Thread(target=run, name="open-database", daemon=True)
        self.thread.start()

    def resolve(self):
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._context

    def __getattr__(self, name: str):
        return getattr(self.resolve(), name)


def launch(data_dir: Path) -> int:
    """Open the window on `data_dir`; the sign-in form first when the office is set up."""
    first_screen = peek_office(data_dir)
    if first_screen is None:
        from counter_app.app import open_context
        from counter_app.ui.main import run_window

        ctx = open_context(data_dir)
        try:
            return run_window(ctx)
        finally:
            ctx.db.close()
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication

    from counter_app.ui.main import run_window

    app = QApplication.instance() or QApplication(sys.argv)
    ctx = DeferredContext(data_dir)

    class Opened(QObject):
        done = Signal(object)  # the error, or None

    opened = Opened(app)

    def start(window) -> None:
        opened.done.connect(lambda error: _opened(window, error))
        # After the first frame and the window's chrome (MainWindow.complete): the thread's
        # imports would otherwise hold the GIL while the form is being drawn.
        window.when_complete(lambda: ctx.open_in_background(opened.done.emit))

    try:
        return run_window(ctx, first_screen=first_screen, on_shown=start)
    finally:
        if ctx._context is not None:
            if ctx.thread is not None:
                ctx.thread.join(60)
            ctx._context.db.close()


def _opened(window, error: BaseException | None) -> None:
    if error is None:
        window.context_ready()
        return
    from PySide6.QtWidgets import QApplication, QMessageBox

    from counter_app.domain.errors import CounterError

    if isinstance(error, CounterError):
        text = str(error)
    else:
        from counter_app.services.backup import storage_message

        text = storage_message(error, window.ctx.data_dir)
    QMessageBox.critical(window, "Không mở được dữ liệu", text)
    window._closed = True
    QApplication.instance().exit(1)
