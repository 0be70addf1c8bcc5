"""The fast start (ui.launch): the sign-in form is drawn from a few rows read with sqlite3,
before SQLAlchemy is imported; the context opens after the first frame and the clerk signs in.
Every other state of the data folder takes the ordinary start."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap

from support_ui import CLERK_PASSWORD

from counter_app.ui.launch import peek_office

SCRIPT = textwrap.dedent(
    """
    import json, sys, threading
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from counter_app.ui.launch import DeferredContext, peek_office
    from counter_app.ui.main import MainWindow

    folder = Path(sys.argv[1])
    app = QApplication([])
    first = peek_office(folder)
    ctx = DeferredContext(folder)
    window = MainWindow(ctx, first)
    window.show()
    for _ in range(10):
        app.processEvents()
    screen = window.sign_in_screen
    drawn = {
        "sqlalchemy": "sqlalchemy" in sys.modules,
        "sign_in_shown": window.stack.currentWidget() is screen,
        "title": screen.title.text(),
        "completer": screen.username.completer() is not None,
    }
    opened = threading.Event()
    ctx.open_in_background(lambda error: opened.set())
    assert opened.wait(60)
    window.context_ready()
    completer = screen.username.completer()
    model = completer.model()
    names = sorted(model.data(model.index(i, 0)) for i in range(model.rowCount()))
    screen.username.setText("lan.nt")
    screen.password.setText(sys.argv[2])
    screen.submit()
    later = {"usernames": names, "clerk": window.clerk.username if window.clerk else None}
    ctx.thread.join(60)  # the daily backup, taken after the context was ready
    window._closed = True
    print(json.dumps({"drawn": drawn, "later": later}, ensure_ascii=False), flush=True)
    ctx.db.close()
    """
)


def test_sign_in_form_before_sqlalchemy_then_the_context_opens(desk_ctx):
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
    assert seen["drawn"] == {
        "sqlalchemy": False,
        "sign_in_shown": True,
        "title": "UBND xã Tân Lập",
        "completer": False,
    }
    assert seen["later"]["usernames"] == ["lan.nt", "quantri"]
    assert seen["later"]["clerk"] == "lan.nt"


def test_every_other_state_takes_the_ordinary_start(desk_ctx, tmp_path):
    folder = desk_ctx.data_dir
    desk_ctx.db.close()
    assert peek_office(folder).unit_name == "UBND xã Tân Lập"
    assert peek_office(tmp_path / "nowhere") is None  # first run: the set-up wizard
    db = sqlite3.connect(folder / "counter.sqlite3")
    try:
        db.execute("UPDATE clerks SET password_hash = NULL WHERE role = 'admin'")
        db.commit()
        assert peek_office(folder) is None  # the administrator's first password screen
        db.execute("UPDATE clerks SET password_hash = 'x' WHERE role = 'admin'")
        db.execute("UPDATE alembic_version SET version_num = '0004'")
        db.commit()
        assert peek_office(folder) is None  # a schema to upgrade (with its backup) first
        db.execute("UPDATE alembic_version SET version_num = ?", (_head(),))
        db.commit()
        assert peek_office(folder) is not None
    finally:
        db.close()


def _head() -> str:
    from counter_app.models.migrations import head_revision

    return head_revision()
