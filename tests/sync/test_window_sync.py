"""Sync in the window against the real server: the runner starts by itself after the window
shows, "Đồng bộ ngay" (F7) syncs off the GUI thread, the status bar tells waiting items, the
last success, a clock that is off and conflicts; closing with unsent items asks the clerk."""

from datetime import timedelta

import pytest
from helpers import outbox_counts, point_at, server_codes
from PySide6.QtCore import QTimer
from server.harness import free_port
from support import registration
from support_ui import ADMIN_PASSWORD, sign_in

from counter_app.domain.office_time import now_office
from counter_app.services.registration import register_dossier


@pytest.fixture(autouse=True)
def no_unexpected_errors():
    from counter_app.ui.common import UNEXPECTED

    UNEXPECTED.clear()
    yield
    assert UNEXPECTED == [], UNEXPECTED[0] if UNEXPECTED else ""


@pytest.fixture
def window_of(qtbot):
    """window_of(ctx) -> an open window; a failed test never leaves a question waiting."""
    opened = []

    def make(ctx):
        from counter_app.ui.main import MainWindow

        # Not qtbot.addWidget: qtbot closes its widgets before this fixture's teardown, and a
        # failed test would then leave the closing question waiting for an answer.
        window = MainWindow(ctx)
        opened.append(window)
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    yield make
    for window in opened:
        window._closed = True  # no question at teardown
        window.close()
        window.deleteLater()


@pytest.fixture
def station(make_station, server, monkeypatch, request):
    """An enrolled station whose PC clock is ten minutes slow, the runner starting quickly.
    Each test receives on its own day: the server already holds the codes of the others."""
    monkeypatch.setattr("counter_app.ui.main.SYNC_START_MS", 100)
    ctx = make_station(0, server.url)
    days = [i.name for i in request.session.items if i.module is request.module]
    ctx.clock.now = now_office() - timedelta(days=days.index(request.node.name), minutes=10)
    return ctx


def answer_close_questions(window, answers: list[str]) -> list[str]:
    """Click the given buttons of the closing question, one per question; returns its texts."""
    asked: list[str] = []

    def poll() -> None:
        box = window.close_box
        if box is not None and box.isVisible():
            asked.append(box.text())
            # An unexpected question is cancelled: the test fails instead of hanging.
            answer = answers[len(asked) - 1] if len(asked) <= len(answers) else "Hủy"
            [button] = [b for b in box.buttons() if b.text() == answer]
            button.click()

    previous = getattr(window, "answer_timer", None)
    if previous is not None:
        previous.stop()
    window.answer_timer = timer = QTimer(window)
    timer.timeout.connect(poll)
    timer.start(30)
    return asked


def test_runner_starts_after_the_window_shows_and_sync_now_sends_the_dossier(
    qtbot, window_of, station, server_db
):
    from counter_app.services.clerks import set_first_admin_password

    set_first_admin_password(station, full_name="Lê Văn Quản", password=ADMIN_PASSWORD)
    first = register_dossier(station, registration())["code"]
    window = window_of(station)
    assert window.sync.runner is None  # not before the first screen is drawn
    # The runner sends what was waiting, by itself.
    qtbot.waitUntil(lambda: window.sync.running, timeout=5000)
    qtbot.waitUntil(lambda: first in server_codes(server_db), timeout=15000)
    sign_in(qtbot, window, "quantri", ADMIN_PASSWORD)

    second = register_dossier(station, registration())["code"]
    window.refresh_status()
    assert "Chờ đồng bộ: 1" in window.sync_label.text()
    window.sync_now_action.trigger()  # F7
    qtbot.waitUntil(lambda: window.sync.manual_job is None, timeout=20000)
    screen = window.desk.currentWidget()
    assert "Đã đồng bộ: gửi" in screen.message.text(), screen.message.text()
    assert second in server_codes(server_db)
    assert outbox_counts(station)[1:] == (0, 0)
    status = window.sync_label.text()
    assert status.startswith("Trực tuyến") and "Chờ đồng bộ: 0" in status
    assert "Lần cuối thành công: " in status and "chưa" not in status
    # The PC is ten minutes slow: said in the status bar.
    assert window.sync_warning_label.isVisible()
    assert "⚠ Đồng hồ máy chậm 10 phút so với máy chủ" in window.sync_warning_label.text()
    assert "xung đột" not in window.sync_warning_label.text()

    runner_thread = window.sync.runner._thread
    window.close()  # nothing unsent: no question
    assert not window.isVisible()
    assert not runner_thread.is_alive()


def test_closing_with_unsent_items_asks_then_syncs_or_closes(
    qtbot, window_of, station, server, server_db
):
    point_at(station, f"http://127.0.0.1:{free_port()}")  # the link is down
    code = register_dossier(station, registration())["code"]
    window = window_of(station)
    qtbot.waitUntil(lambda: window.sync.running, timeout=5000)
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("Ngoại tuyến"), timeout=15000)
    assert "Chờ đồng bộ: 1" in window.sync_label.text()

    asked = answer_close_questions(window, ["Hủy"])
    window.close()
    assert window.isVisible() and len(asked) == 1
    assert asked[0].startswith("Còn 1 thay đổi chưa gửi lên máy chủ tỉnh")

    # "Đồng bộ rồi đóng" while the link is down: the clerk is told and asked again.
    asked = answer_close_questions(window, ["Đồng bộ rồi đóng", "Hủy"])
    window.close()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=20000)
    assert window.isVisible()
    assert asked[1].startswith("Chưa đồng bộ được: Không kết nối được máy chủ tỉnh")

    # The link is back: "Đồng bộ rồi đóng" sends it and closes the window.
    point_at(station, server.url)
    asked = answer_close_questions(window, ["Đồng bộ rồi đóng"])
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)
    assert code in server_codes(server_db)
    assert outbox_counts(station)[1:] == (0, 0)
    assert not window.sync.running


def test_closing_anyway_keeps_the_unsent_items(qtbot, window_of, station):
    point_at(station, f"http://127.0.0.1:{free_port()}")
    register_dossier(station, registration())
    window = window_of(station)
    asked = answer_close_questions(window, ["Vẫn đóng"])
    window.close()
    assert len(asked) == 1 and not window.isVisible()
    assert outbox_counts(station)[1] == 1  # still waiting, sent at the next start
