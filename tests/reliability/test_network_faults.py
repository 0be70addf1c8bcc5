"""Network faults between two counters and the real server: latency, stalls, resets and lost
connections at random (tests/reliability/chaos_proxy.py, seeded), while both counters register
and withdraw dossiers and the processing agency acts on the server. Once the link is calm again
everything converges: the server holds each dossier exactly once, each counter holds every
dossier of the unit exactly once, and all three agree on every status."""

import json
import os
import random
import sqlite3
from collections import Counter
from datetime import date, datetime, time

from reliability.chaos_proxy import ChaosProxy
from reliability.conftest import prepare_station
from server.harness import server_cli
from sqlalchemy import create_engine, text
from sync.helpers import enrollment_code

from counter_app.app import open_context
from counter_app.domain.errors import CounterError
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.services.registration import register_dossier
from counter_app.services.sync import enroll_station
from counter_app.services.transitions import withdraw
from counter_app.sync.client import SyncClient
from counter_app.sync.engine import load_config, sync_once

SEED = int(os.environ.get("NETWORK_SEED", "6"))
ROUNDS = int(os.environ.get("NETWORK_ROUNDS", "25"))
DAY = date(2026, 12, 21)


def local_statuses(ctx) -> dict[str, int]:
    connection = sqlite3.connect(ctx.db.path)
    try:
        rows = connection.execute("SELECT code, status FROM dossiers").fetchall()
    finally:
        connection.close()
    assert len(rows) == len({code for code, _ in rows})
    return dict(rows)


def server_statuses(url: str) -> tuple[dict[str, int], Counter]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT code, status FROM dossiers")).fetchall()
    finally:
        engine.dispose()
    return dict(rows), Counter(code for code, _ in rows)


def test_counters_and_server_converge_through_a_bad_link(
    server, server_db, migrated_database, tmp_path, capsys
):
    rng = random.Random(SEED)
    proxy = ChaosProxy(server.port, seed=SEED, fault_rate=0.75)
    stations = []
    for number in (0, 1):
        folder = prepare_station(tmp_path / f"station{number}", migrated_database, number)
        ctx = open_context(folder)
        ctx.clock = lambda: datetime.combine(DAY, time(9, 0), OFFICE_TZ)
        enroll_station(ctx, server.url, enrollment_code(server_db, number))
        stations.append(ctx)

    def chaos_sync(ctx) -> bool:
        client = SyncClient(proxy.url, token=load_config(ctx).token, timeout=(1.0, 1.5))
        try:
            sync_once(ctx, client=client)
            return True
        except CounterError:
            return False  # the desk goes on; the rows wait
        finally:
            client.close()

    outcomes = Counter()
    registered: list[str] = []
    try:
        for _ in range(ROUNDS):
            for ctx in stations:
                for _ in range(rng.randint(1, 3)):
                    data = {
                        "procedure_code": "T.WD3",
                        "applicant": {
                            "kind": "citizen",
                            "full_name": "Phạm Văn Bình",
                            "id_number": "001090012345",
                            "date_of_birth": "1990-05-17",
                            "gender": "Nam",
                            "address": "Thôn Đông",
                            "phone": "0912345678",
                        },
                    }
                    registered.append(register_dossier(ctx, data)["code"])
                own = [c for c, s in local_statuses(ctx).items() if s == 2]
                if own and rng.random() < 0.3:
                    withdraw(ctx, rng.choice(own), reason="Công dân rút hồ sơ")
                    outcomes["withdrawn"] += 1
                outcomes["sync ok" if chaos_sync(ctx) else "sync failed"] += 1
            on_server, _ = server_statuses(server_db)
            received = [c for c, s in on_server.items() if s == 2]
            if received and rng.random() < 0.5:  # the agency starts processing one
                status, _, err = server_cli(
                    server_db,
                    "agency",
                    "set-status",
                    rng.choice(received),
                    "--status",
                    "processing",
                )
                assert status in (0, 2), err
                outcomes["agency steps"] += 1
        proxy.calm()
        for _ in range(3):  # the link is back: two rounds each settle everything
            for ctx in stations:
                report = sync_once(ctx)
        assert report.pending == 0 and report.quarantined == 0, report.warnings
        for ctx in stations:
            final = sync_once(ctx)
            assert final.pending == 0 and final.quarantined == 0, final.warnings
            assert final.mismatches == {} or not final.mismatches, final.mismatches

        on_server, counts = server_statuses(server_db)
        assert all(n == 1 for n in counts.values())  # exactly once
        assert set(registered) <= set(on_server)
        for ctx in stations:
            local = local_statuses(ctx)
            assert set(local) >= set(registered)  # every dossier of the unit, once
            differing = {
                c: (local[c], on_server[c]) for c in registered if local[c] != on_server[c]
            }
            assert differing == {}
    finally:
        proxy.close()
        for ctx in stations:
            ctx.db.close()
    figures = {
        "rounds": ROUNDS,
        "dossiers": len(registered),
        **outcomes,
        "connections": dict(proxy.injected),
    }
    with capsys.disabled():
        print("\nnetwork faults:", json.dumps(figures, ensure_ascii=False))
    assert sum(proxy.injected[f] for f in ("latency", "stall", "reset", "loss")) >= 20
