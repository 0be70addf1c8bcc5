"""Counters syncing with the real server (uvicorn, PostgreSQL): the everyday cases."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import (
    enrollment_code,
    local_dossier,
    outbox_counts,
    point_at,
    server_codes,
    server_stats,
)
from server.harness import ServerProcess, free_port, server_ok
from support import registration

from counter_app.domain.office_time import now_office
from counter_app.services.registration import register_dossier
from counter_app.services.sync import closing_warning, sync_status
from counter_app.services.transitions import hand_back, withdraw
from counter_app.sync.client import ServerUnreachable, UpgradeRequired
from counter_app.sync.engine import sync_once
from counter_app.sync.lock import DeviceLock, SyncBusy

UNIT = "000.00.12.H49"


def test_registered_offline_then_synced(server, server_db, make_station):
    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=1)
    point_at(ctx, f"http://127.0.0.1:{free_port()}")  # the link is down
    codes = [register_dossier(ctx, registration())["code"] for _ in range(3)]
    with pytest.raises(ServerUnreachable, match="Không kết nối được máy chủ tỉnh"):
        sync_once(ctx)
    assert outbox_counts(ctx) == (0, 3, 0)
    status = sync_status(ctx)
    assert status.pending == 3 and status.last_error and status.last_success is None
    assert "3 thay đổi chưa gửi" in closing_warning(ctx)

    point_at(ctx, server.url)  # the link is back
    report = sync_once(ctx)
    assert report.pushed == 3 and report.pending == 0 and report.clean
    assert outbox_counts(ctx) == (3, 0, 0)
    assert sorted(c for c in server_codes(server_db) if c in codes) == sorted(codes)
    assert closing_warning(ctx) is None
    assert sync_status(ctx).last_success is not None
    again = sync_once(ctx)  # nothing new: nothing pushed, nothing duplicated
    assert again.pushed == 0
    assert len([c for c in server_codes(server_db) if c in codes]) == 3


def test_agency_steps_reach_the_counter_and_the_hand_back_goes_up(server, server_db, make_station):
    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=2)
    code = register_dossier(ctx, registration())["code"]
    sync_once(ctx)
    server_ok(server_db, "agency", "set-status", code, "--status", "processing")
    server_ok(
        server_db, "agency", "set-status", code, "--status", "supplement_requested",
        "--note", "Thiếu giấy xác nhận tình trạng hôn nhân",
    )  # fmt: skip
    sync_once(ctx)
    dossier = local_dossier(ctx, code)
    assert dossier["status"] == "supplement_requested"
    assert dossier["history"][-1]["reason"] == "Thiếu giấy xác nhận tình trạng hôn nhân"
    assert dossier["history"][-1]["side"] == "agency"

    from counter_app.services.transitions import receive_supplement

    ctx.clock.now = now_office() + timedelta(minutes=1)  # after the agency's request
    back = receive_supplement(ctx, code)
    assert back["status"] == "processing"
    sync_once(ctx)
    server_ok(server_db, "agency", "set-status", code, "--status", "result_ready")
    sync_once(ctx)
    assert local_dossier(ctx, code)["status"] == "result_ready"
    hand_back(ctx, code, collected_by="Nguyễn Văn Dũng")
    sync_once(ctx)
    stats = server_stats(server_db)["units"][UNIT]
    assert stats["by_status"]["returned"] >= 1
    history = [e["to_status"] for e in local_dossier(ctx, code)["history"]]
    assert history == [
        "received", "processing", "supplement_requested", "processing", "result_ready",
        "returned",
    ]  # fmt: skip


def test_a_rating_reaches_the_server(server, server_db, make_station):
    from sqlalchemy import create_engine, text

    from counter_app.services.ratings import rate
    from counter_app.services.transitions import agency_set_status

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=20)  # one server per module: each test its own day
    code = register_dossier(ctx, registration())["code"]
    agency_set_status(ctx, code, "result_ready")
    hand_back(ctx, code)
    rate(ctx, code, "dissatisfied", reason="Chờ lâu")
    report = sync_once(ctx)
    assert report.clean and outbox_counts(ctx)[1:] == (0, 0)
    engine = create_engine(server_db)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT r.level, r.reason FROM ratings r JOIN dossiers d"
                    " ON d.id = r.dossier_id WHERE d.code = :code"
                ),
                {"code": code},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("dissatisfied", "Chờ lâu")]


def test_two_stations_of_one_unit(server, server_db, make_station):
    first, second = make_station(0, server.url), make_station(1, server.url)
    for ctx in (first, second):
        ctx.clock.now -= timedelta(days=3)
    a = register_dossier(first, registration())["code"]
    b = register_dossier(second, registration())["code"]
    assert a.endswith("-0001") and b.endswith("-1001")
    for ctx in (first, second, first):
        sync_once(ctx)
    # Each station knows the other's dossier: a citizen may come back to either counter.
    assert local_dossier(first, b)["station"] == 1
    assert local_dossier(second, a)["station"] == 0
    server_ok(server_db, "agency", "set-status", a, "--status", "result_ready")
    sync_once(second)
    hand_back(second, a, collected_by="Trần Văn An")
    sync_once(second)
    sync_once(first)
    assert local_dossier(first, a)["status"] == "returned"
    stations = server_stats(server_db)["units"][UNIT]["stations"]
    assert stations["0"]["last_contact"] and stations["1"]["last_contact"]
    assert server_codes(server_db).count(a) == 1 and server_codes(server_db).count(b) == 1
    # Numbering goes on in each station's own range after the other station's dossiers arrived.
    assert register_dossier(first, registration())["code"].endswith("-0002")


def test_a_change_that_loses_is_kept_and_shown(server, server_db, make_station):
    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=4)
    code = register_dossier(ctx, registration())["code"]
    other = register_dossier(ctx, registration())["code"]
    sync_once(ctx)
    # Offline, the clerk records withdrawals; meanwhile the agency acted on the server.
    server_ok(server_db, "agency", "set-status", code, "--status", "result_ready")
    server_ok(server_db, "agency", "set-status", other, "--status", "processing")
    withdraw(ctx, code, reason="Công dân xin rút")
    withdraw(ctx, other, reason="Công dân xin rút")
    report = sync_once(ctx)
    # Result ready came first: the withdrawal is no longer possible, kept as superseded.
    lost = local_dossier(ctx, code)
    assert lost["status"] == "result_ready"
    assert [e["to_status"] for e in lost["history"]] == ["received", "withdrawn", "result_ready"]
    assert any(code in w and "Không áp dụng" in w for w in report.warnings)
    conflicts = sync_status(ctx).conflicts
    assert [c["code"] for c in conflicts] == [code] and conflicts[0]["kind"] == "superseded"
    # Processing came first: the counter may still record a withdrawal from there.
    assert local_dossier(ctx, other)["status"] == "withdrawn"
    assert server_stats(server_db)["units"][UNIT]["by_status"]["withdrawn"] >= 1


def test_catalog_calendar_and_clerks_arrive_from_the_server(
    server, server_db, make_station, tmp_path
):
    from counter_app.services.catalog import list_current

    ctx = make_station(0, server.url)
    catalog = {"procedures": [{"code": "P.NEW", "name": "Thủ tục mới của tỉnh",
                               "duration": {"kind": "working_days", "value": 5}}]}  # fmt: skip
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog, ensure_ascii=False), "utf-8")
    server_ok(server_db, "catalog", "import", str(path))
    server_ok(server_db, "calendar", "import", str(Path(__file__).parent / "calendar.json"))
    server_ok(
        server_db, "clerk", "add", "--unit-code", UNIT, "--username", "lan",
        "--full-name", "Trần Thị Lan",
    )  # fmt: skip
    sync_once(ctx)
    assert "P.NEW" in {p.code for p in list_current(ctx)}
    calendar = ctx.work_calendar()
    from datetime import date

    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2026, 12, 26))  # a Saturday worked
    register_dossier(ctx, registration(), clerk="lan")  # the new account can work


def test_clock_skew_is_reported(server, make_station):
    ctx = make_station(0, server.url)
    ctx.clock.now = now_office() + timedelta(minutes=10)
    report = sync_once(ctx)
    assert report.clock_skew == pytest.approx(-600, abs=30)
    assert any("Đồng hồ máy này nhanh khoảng 10 phút" in w for w in report.warnings)
    ctx.clock.now = now_office()
    report = sync_once(ctx)
    assert abs(report.clock_skew) < 30
    assert not any("Đồng hồ" in w for w in report.warnings)


def test_a_refused_item_is_quarantined_and_counts_differ(server, server_db, make_station):
    from counter_app.models import OutboxItem

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=5)
    good = register_dossier(ctx, registration())["code"]
    bad = register_dossier(ctx, registration())["code"]
    with ctx.db.write() as session:  # a corrupted row, as a bug could leave
        row = session.query(OutboxItem).filter(OutboxItem.payload["code"].as_string() == bad)
        item = row.one()
        item.payload = {k: v for k, v in item.payload.items() if k != "applicant"}
    report = sync_once(ctx)
    assert report.pushed == 1 and report.quarantined == 1 and not report.clean
    day = (ctx.clock.now.date()).isoformat()
    assert report.mismatches == {day: (2, 1)}
    assert any("không khớp" in w for w in report.warnings)
    status = sync_status(ctx)
    assert status.quarantined[0]["code"] == bad and "applicant" in status.quarantined[0]["reason"]
    assert good in server_codes(server_db) and bad not in server_codes(server_db)
    # The queue is not blocked by it.
    register_dossier(ctx, registration())
    assert sync_once(ctx).pushed == 1


def test_one_sync_runner_per_device(server, make_station):
    ctx = make_station(0, server.url)
    with DeviceLock(ctx.data_dir), pytest.raises(SyncBusy, match="đồng bộ khác"):
        sync_once(ctx)
    sync_once(ctx)


def test_background_runner_syncs_off_the_calling_thread(server, server_db, make_station):
    import threading

    from counter_app.sync.runner import SyncRunner

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=6)
    code = register_dossier(ctx, registration())["code"]
    done = threading.Event()
    threads = []

    def on_report(report):
        threads.append(threading.current_thread().name)
        done.set()

    runner = SyncRunner(ctx, interval=3600, on_report=on_report)
    runner.start()
    try:
        assert done.wait(30)
    finally:
        runner.stop()
    assert threads == ["counter-sync"]
    assert code in server_codes(server_db)


def test_an_old_counter_is_told_to_upgrade(server, server_db, make_station):
    ctx = make_station(0, server.url)
    upgraded = ServerProcess(server_db, env={"COUNTER_SERVER_MIN_COUNTER_VERSION": "9.0"})
    upgraded.start()
    try:
        point_at(ctx, upgraded.url)
        with pytest.raises(UpgradeRequired, match=r"cần phiên bản 9\.0 trở lên"):
            sync_once(ctx)
    finally:
        upgraded.stop()
    assert "nâng cấp" in sync_status(ctx).last_error["message"]


def run_cli(data_dir, *args):
    environment = {**os.environ, "TZ": "UTC"}
    environment.pop("COUNTER_APP_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "counter_app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_enroll_and_sync_once_from_the_command_line(server, server_db, tmp_path):
    data = tmp_path / "station"
    enrolled = run_cli(
        data, "enroll", "--server", server.url, "--code", enrollment_code(server_db, 2)
    )
    assert enrolled.returncode == 0, enrolled.stderr
    assert "quầy số 2" in enrolled.stdout
    reused = run_cli(tmp_path / "other", "enroll", "--server", server.url, "--code", "AAAA-BBBB")
    assert reused.returncode == 2 and "Mã đăng ký" in reused.stderr
    plain = run_cli(data, "enroll", "--server", "http://example.org", "--code", "X")
    assert plain.returncode == 2 and "https" in plain.stderr
    synced = run_cli(data, "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    assert "Đã gửi" in synced.stdout
    from counter_app.app import open_context

    ctx = open_context(data)
    point_at(ctx, f"http://127.0.0.1:{free_port()}")
    ctx.db.close()
    down = run_cli(data, "sync", "--once")
    assert down.returncode == 1
    assert "Không kết nối được máy chủ tỉnh" in down.stderr and "Traceback" not in down.stderr
    status = run_cli(data, "sync", "--status")
    assert status.returncode == 0 and "Lỗi lần thử gần nhất" in status.stdout


def test_a_procedure_with_a_long_national_name_syncs(server, server_db, make_station):
    """The demo catalog's longest name (1.013831, 569 characters) is stored on the server too."""
    from counter_app.app import resources_dir
    from counter_app.services.catalog import import_catalog

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=7)
    catalog = json.loads((resources_dir() / "catalog" / "demo-catalog.json").read_text("utf-8"))
    longest = max(catalog["procedures"], key=lambda p: len(p["name"]))
    assert len(longest["name"]) > 500
    import_catalog(ctx, catalog)
    code = register_dossier(ctx, registration(procedure_code=longest["code"]))["code"]
    report = sync_once(ctx)
    assert report.clean and report.quarantined == 0
    assert code in server_codes(server_db)
