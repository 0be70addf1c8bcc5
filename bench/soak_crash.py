"""Crash soak: SIGKILL the counter process 2,000 times at random moments while it registers and
while it syncs with the real server (throwaway PostgreSQL cluster, uvicorn on loopback), and
print what was lost (the goal: nothing). The same harness as tests/reliability/test_crash_kills.py,
which runs 200 kills in the suite.

    .venv/bin/python bench/soak_crash.py                # 1,500 + 500 kills, ~10 minutes
    .venv/bin/python bench/soak_crash.py --kills 200 --seed 7
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from reliability.conftest import prepare_station  # noqa: E402
from reliability.crash_harness import Zygote, check_database, run_kills  # noqa: E402
from server.harness import PostgresCluster, ServerProcess, server_ok  # noqa: E402
from sync.helpers import enrollment_code, server_codes  # noqa: E402

UNIT = "000.00.12.H49"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=2000)
    parser.add_argument(
        "--sync-share", type=float, default=0.25, help="share of the kills while syncing"
    )
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    sync_kills = round(args.kills * args.sync_share)
    register_kills = args.kills - sync_kills

    from counter_app.app import open_context
    from counter_app.models.database import DB_FILENAME
    from counter_app.services.sync import enroll_station
    from counter_app.sync.engine import sync_once

    work = Path(tempfile.mkdtemp(prefix="soak-crash-"))
    template = work / "template"
    open_context(template).db.close()
    started = time.monotonic()
    results: dict = {"seed": args.seed}
    zygote = Zygote(prepare_station(work / "warm", template / DB_FILENAME))
    cluster = PostgresCluster()
    server = None
    try:
        progress = lambda n, f: print(f"  {n} rounds: {json.dumps(f.as_dict())}", file=sys.stderr)  # noqa: E731
        # 1. Killed while registering.
        station = prepare_station(work / "register", template / DB_FILENAME)
        (work / "reports-register").mkdir()
        figures, _ = run_kills(
            zygote,
            station,
            work / "reports-register",
            kills=register_kills,
            mode="register",
            seed=args.seed,
            max_delay=0.3,
            progress=progress,
        )
        results["while_registering"] = figures.as_dict()

        # 2. Killed while registering and syncing with the real server; then one clean sync.
        url = cluster.create_database()
        server_ok(url, "migrate")
        server_ok(url, "unit", "add", "--code", UNIT, "--name", "UBND xã Tân Lập")
        server = ServerProcess(url).start()
        station = prepare_station(work / "sync", template / DB_FILENAME)
        ctx = open_context(station)
        enroll_station(ctx, server.url, enrollment_code(url, 0))
        ctx.db.close()
        (work / "reports-sync").mkdir()
        figures, reported = run_kills(
            zygote,
            station,
            work / "reports-sync",
            kills=sync_kills,
            mode="sync",
            seed=args.seed + 1,
            max_delay=0.4,
            progress=progress,
        )
        ctx = open_context(station)
        for _ in range(5):
            report = sync_once(ctx)
            if report.pending == 0:
                break
        ctx.db.close()
        import sqlite3

        connection = sqlite3.connect(station / DB_FILENAME)
        local = {r[0] for r in connection.execute("SELECT code FROM dossiers")}
        connection.close()
        on_server = Counter(server_codes(url))
        results["while_syncing"] = figures.as_dict() | {
            "pending_after_final_sync": report.pending,
            "quarantined": report.quarantined,
            "local_dossiers": len(local),
            "server_dossiers": len(on_server),
            "server_duplicates": sum(n - 1 for n in on_server.values()),
            "missing_on_server": len(local - set(on_server)),
            "reported_missing_on_server": len(set(reported) - set(on_server)),
            "final_check_problems": check_database(station / DB_FILENAME, reported)[0][:5],
        }
    finally:
        zygote.close()
        if server:
            server.stop()
        cluster.stop()
    results["total_kills"] = sum(
        results[k]["kills"] for k in ("while_registering", "while_syncing") if k in results
    )
    results["seconds"] = round(time.monotonic() - started)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    sync = results.get("while_syncing", {})
    bad = sum(
        results[k]["lost"]
        + results[k]["duplicated"]
        + results[k]["half_written"]
        + results[k]["integrity_failures"]
        for k in ("while_registering", "while_syncing")
    )
    bad += sync.get("server_duplicates", 1) + sync.get("missing_on_server", 1)
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
