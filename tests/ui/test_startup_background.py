"""In a fresh process: the first screen is drawn before the sync client (requests, pydantic) or
reportlab is imported; a moment later the sync runner runs and the printing fonts are loaded,
both off the GUI thread; closing stops the runner."""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    from counter_app.app import open_context
    from counter_app.services.context import put_setting
    from counter_app.services.office import setup_office

    ctx = open_context(Path(sys.argv[1]))
    setup_office(ctx, unit_code="000.00.12.H49", unit_name="UBND xã Tân Lập")
    with ctx.db.write() as session:  # enrolled, with the server out of reach
        put_setting(session, "server_url", "http://127.0.0.1:9")
        put_setting(session, "sync_token", "t" * 32)
        put_setting(session, "sync_allow_http", True)

    from PySide6.QtWidgets import QApplication

    from counter_app.ui.main import MainWindow

    app = QApplication([])
    window = MainWindow(ctx)
    window.show()
    for _ in range(10):
        app.processEvents()
    heavy = ("requests", "pydantic", "reportlab", "counter_app.sync.runner")
    drawn = {name: name in sys.modules for name in heavy}

    from counter_app.printing import fonts  # the module itself imports nothing heavy
    from counter_app.sync import client

    client.BACKOFF_FACTOR = 0.01  # the runner starts later: its retries are quick here

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
        window.sync.running and fonts._registered and window.sync_label.text().startswith("Ngoại")
    ):
        app.processEvents()
        time.sleep(0.02)
    later = {
        "runner": window.sync.running,
        "runner_thread": window.sync.runner._thread.name if window.sync.runner else None,
        "fonts": fonts._registered,
        "warm_up_thread": window.warm_up_thread.name if window.warm_up_thread else None,
        "status": window.sync_label.text(),
    }
    thread = window.sync.runner._thread if window.sync.runner else None
    window.close()
    later["runner_after_close"] = bool(thread and thread.is_alive())
    print(json.dumps({"drawn": drawn, "later": later}, ensure_ascii=False))
    """
)


def test_first_screen_without_heavy_imports_then_sync_and_fonts_in_the_background(
    tmp_path, migrated_database
):
    import shutil

    shutil.copy(migrated_database, tmp_path / migrated_database.name)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["drawn"] == {
        "requests": False,
        "pydantic": False,
        "reportlab": False,
        "counter_app.sync.runner": False,
    }
    later = seen["later"]
    assert later["runner"] and later["runner_thread"] == "counter-sync"
    assert later["fonts"] and later["warm_up_thread"] == "fonts-warm-up"
    assert later["status"].startswith("Ngoại tuyến"), later["status"]
    assert later["runner_after_close"] is False
