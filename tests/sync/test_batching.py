"""How the counter shapes its traffic: batches cut by size, two in flight without a dossier's
changes overtaking it, compact answers, pages fetched ahead, and the runner woken by a
registration (the real server, PostgreSQL)."""

import threading
from datetime import timedelta

from helpers import local_dossier, outbox_counts, server_codes, server_stats
from server.harness import server_ok
from support import registration

from counter_app.services.registration import register_dossier
from counter_app.services.transitions import withdraw
from counter_app.sync import engine
from counter_app.sync import protocol as p
from counter_app.sync.client import SyncClient
from counter_app.sync.engine import SyncReport, sync_once

UNIT = "000.00.12.H49"


def record_pushes(monkeypatch) -> list[int]:
    sizes: list[int] = []
    original = SyncClient.push

    def push(self, items, **kwargs):
        sizes.append(len(items))
        return original(self, items, **kwargs)

    monkeypatch.setattr(SyncClient, "push", push)
    return sizes


def test_batches_are_cut_by_size_and_a_dossier_goes_before_its_changes(
    server, server_db, make_station, monkeypatch
):
    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=20)
    codes = [register_dossier(ctx, registration())["code"] for _ in range(4)]
    withdraw(ctx, codes[1], reason="Công dân xin rút hồ sơ")
    sizes = record_pushes(monkeypatch)
    monkeypatch.setattr(engine, "PUSH_BATCH_BYTES", 1)  # one item per batch, two in flight
    report = sync_once(ctx)
    assert sizes == [1, 1, 1, 1, 1]
    assert report.pushed == 5 and not report.rejected
    assert outbox_counts(ctx) == (5, 0, 0)
    assert set(codes) <= set(server_codes(server_db))
    assert server_stats(server_db)["units"][UNIT]["by_status"].get("withdrawn", 0) >= 1

    more = [register_dossier(ctx, registration())["code"] for _ in range(3)]
    monkeypatch.setattr(engine, "PUSH_BATCH_BYTES", engine.PUSH_BATCH_BYTES * 10**6)
    sync_once(ctx)
    assert sizes[5:] == [3]  # small items: one batch
    assert set(more) <= set(server_codes(server_db))


def test_a_full_answer_from_an_older_server_is_still_understood(server, make_station):
    from sqlalchemy import select

    from counter_app.models import OutboxItem

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=21)
    register_dossier(ctx, registration())
    register_dossier(ctx, registration())
    with ctx.db.read() as session:
        rows = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
    full = p.PushAnswer(
        server_time=ctx.now(),
        results=[
            p.ItemResult(uuid=rows[0].uuid, outcome="accepted"),
            p.ItemResult(uuid=rows[1].uuid, outcome="rejected", reason="Thử nghiệm"),
        ],
    )
    report = SyncReport()
    engine._record_answers(ctx, rows, full, report)
    assert report.pushed == 1 and report.rejected == ["Thử nghiệm"]
    assert outbox_counts(ctx) == (1, 0, 1)


def test_pages_are_fetched_ahead_and_applied_in_order(server, server_db, make_station, monkeypatch):
    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=22)
    code = register_dossier(ctx, registration())["code"]
    sync_once(ctx)
    for status in ("processing", "result_ready"):
        server_ok(server_db, "agency", "set-status", code, "--status", status)
    monkeypatch.setattr(engine, "PAGE_SIZE", 1)  # one change per page
    report = sync_once(ctx)
    assert report.pulled >= 2
    history = [e["to_status"] for e in local_dossier(ctx, code)["history"]]
    assert history == ["received", "processing", "result_ready"]
    assert local_dossier(ctx, code)["status"] == "result_ready"


def test_a_registration_wakes_the_runner_at_once(server, server_db, make_station):
    from counter_app.sync.runner import SyncRunner

    ctx = make_station(0, server.url)
    ctx.clock.now -= timedelta(days=23)
    rounds = []
    round_done = threading.Event()

    def on_report(report):
        rounds.append(report)
        round_done.set()

    runner = SyncRunner(ctx, interval=3600, on_report=on_report)  # next round in an hour
    runner.start()
    try:
        assert round_done.wait(30)
        round_done.clear()
        code = register_dossier(ctx, registration())["code"]
        runner.wake()  # as the window does after a registration
        assert round_done.wait(30), "the woken runner did not sync"
    finally:
        runner.stop()
    assert code in server_codes(server_db)
    assert rounds[-1].pushed == 1
