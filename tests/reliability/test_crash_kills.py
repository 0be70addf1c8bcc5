"""SIGKILL the counter process at random moments while it registers and while it syncs with the
real server (200 kills in all; bench/soak_crash.py does 2,000). Nothing reported is lost,
nothing is stored twice, the database stays sound, and the server ends up with each dossier
exactly once."""

import json
import os
from collections import Counter

from reliability.crash_harness import check_database, run_kills
from sync.helpers import enrollment_code, server_codes

from counter_app.app import open_context
from counter_app.sync.engine import sync_once

SEED = int(os.environ.get("CRASH_SEED", "20261126"))


def test_kills_while_registering(zygote, station_dir, tmp_path):
    figures, _reported = run_kills(
        zygote, station_dir, tmp_path, kills=150, mode="register", seed=SEED, max_delay=0.3
    )
    print("kills while registering:", json.dumps(figures.as_dict()))
    assert figures.problems == [], figures.problems[:5]
    assert figures.kills >= 145, figures.as_dict()  # a child may rarely finish its 200 first
    assert figures.reported > 0 and figures.lost == figures.duplicated == 0


def test_kills_while_syncing(zygote, server, server_db, station_dir, tmp_path):
    from counter_app.services.sync import enroll_station

    ctx = open_context(station_dir)
    enroll_station(ctx, server.url, enrollment_code(server_db, 0))
    ctx.db.close()
    figures, reported = run_kills(
        zygote, station_dir, tmp_path, kills=50, mode="sync", seed=SEED + 1, max_delay=0.4
    )
    print("kills while syncing:", json.dumps(figures.as_dict()))
    assert figures.problems == [], figures.problems[:5]
    assert figures.kills >= 48, figures.as_dict()

    # The next sync, uninterrupted, brings the server level: every dossier exactly once.
    ctx = open_context(station_dir)
    try:
        for _ in range(3):
            report = sync_once(ctx)
            if report.pending == 0:
                break
        assert report.pending == 0 and report.quarantined == 0, report.warnings
        local = Counter(check_database_codes(station_dir))
    finally:
        ctx.db.close()
    on_server = Counter(server_codes(server_db))
    assert all(n == 1 for n in on_server.values())
    assert set(on_server) == set(local)
    assert set(reported) <= set(on_server)
    assert check_database(station_dir / "counter.sqlite3", Counter(reported))[0] == []


def check_database_codes(folder):
    import sqlite3

    connection = sqlite3.connect(folder / "counter.sqlite3")
    try:
        return [r[0] for r in connection.execute("SELECT code FROM dossiers")]
    finally:
        connection.close()
