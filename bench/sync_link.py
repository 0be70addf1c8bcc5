"""Sync over a commune link: 256 kbit/s each way, 300 ms round trips, 2 % segment loss.

    .venv/bin/python bench/sync_link.py                  # 10,000 dossiers, ~5 minutes
    .venv/bin/python bench/sync_link.py --quick          # 1,000 dossiers, a smoke run
    .venv/bin/python bench/sync_link.py --dossiers 3000 --json out.json

A throwaway PostgreSQL cluster and the real server (tests/server/harness.py), a counter data
folder set up and enrolled as the app does it, and bench/link.py's shaping proxy between them
(its docstring has the line model). Each figure is printed next to its floor:

- push: N dossiers registered through `services.registration.register_dossier` are synced with
  `sync_once` rounds (as the runner does: hello, push, attachments, pull, reconcile) until the
  outbox is empty and the server holds them all. Ours: every byte both directions through the
  proxy, HTTP included. Floor A: the same dossiers' minimal JSON compressed as one stream with
  gzip -9. "Minimal JSON": per dossier exactly the fields the server reads
  (`protocol.DossierPayload`: the record, its applicant, its procedure reference with the time
  limit, its documents, the receipt event's uuid, which with the record's times makes the whole
  receipt event), as one JSON array, compact separators, UTF-8, no envelope.
- link use while the bulk flows: the bytes the bulk direction carried divided by what 256 kbit/s
  carries between its first segment going on the line and its last leaving it.
- pull: N agency status changes (received -> processing, made on the server with its own
  `apply_status_event`, in one transaction) pulled by `sync_once` rounds. Floor: gzip -9 of the
  changes' minimal JSON (`protocol.DossierEventChange`, no seq, kind or page envelope).
- latency: one dossier registered while online, with the real background `SyncRunner` woken as
  the window wakes it: from `register_dossier` returning to the row being in the server's
  database. Floor: one bare HTTP POST of that dossier's minimal JSON on a new connection through
  an identical line to a do-nothing HTTP server.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import http.server
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/server.py would hide the tests' `server` package: the bench folder goes last.
sys.path[:] = [str(ROOT / "tests"), str(ROOT)] + [
    entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"
]
from server.harness import PostgresCluster, ServerProcess, server_ok  # noqa: E402
from sync.helpers import enrollment_code  # noqa: E402

sys.path.append(str(ROOT / "bench"))
from figures import Figures, add_json_argument, ms, percentile  # noqa: E402
from link import ShapedLink  # noqa: E402

UNIT = "000.00.12.H49"
RATE = 256_000
RTT = 0.300
LOSS = 0.02
SIZE_TARGET = 1.3
USE_TARGET = 0.70
LATENCY_TARGET = 2.0
PER_DAY = 400  # dossiers per receipt day (a station numbers at most 999 a day)

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Công", "Quang", "Minh", "Thành", "Xuân", "Đình", "Ngọc"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Phương", "Bảo", "Diệu"]
GIVEN_M = "An Bình Cường Dũng Đạt Hải Hiếu Hùng Khánh Long Nam Phúc Quân Sơn Tâm Thắng Tuấn Việt"
GIVEN_F = "Anh Chi Dung Hà Hạnh Hoa Hương Lan Linh Mai Nga Ngân Nhung Oanh Quyên Thảo Trang Yến"
HAMLETS = [
    "thôn Đông",
    "thôn Đoài",
    "thôn Thượng",
    "thôn Hạ",
    "xóm Chùa",
    "xóm Mới",
    "thôn Cầu",
    "thôn Trại",
    "xóm Bến",
    "thôn Giữa",
]
COMMUNE = "xã Tân Lập, tỉnh Hà Nội"


def applicant(rng: random.Random, today) -> dict:
    female = rng.random() < 0.5
    name = " ".join(
        [
            rng.choice(FAMILY),
            rng.choice(MIDDLE_F if female else MIDDLE_M),
            rng.choice((GIVEN_F if female else GIVEN_M).split()),
        ]
    )
    year = rng.randint(1945, 2006)
    born = datetime(year, rng.randint(1, 12), rng.randint(1, 28)).date()
    century = 0 if year < 2000 else 2
    province, serial = rng.randint(1, 96), rng.randint(0, 999_999)
    id_number = f"{province:03d}{century + female}{year % 100:02d}{serial:06d}"
    return {
        "full_name": name,
        "id_type": "cccd",
        "id_number": id_number,
        "date_of_birth": born.isoformat(),
        "gender": "Nữ" if female else "Nam",
        "address": f"Số {rng.randint(1, 200)}, {rng.choice(HAMLETS)}, {COMMUNE}",
        "phone": "0" + rng.choice("389") + "".join(rng.choice("0123456789") for _ in range(8)),
        "email": "" if rng.random() < 0.8 else f"nguoidan{rng.randint(1, 99999)}@gmail.com",
    }


def make_station(work: Path, enroll_url: str, server_db: str):
    from counter_app.app import open_context
    from counter_app.services.catalog import import_catalog
    from counter_app.services.office import setup_office
    from counter_app.services.sync import enroll_station

    ctx = open_context(work / "counter")
    setup_office(ctx, unit_code=UNIT, unit_name="UBND xã Tân Lập", place="Hà Nội")
    catalog = json.loads((ROOT / "resources/catalog/demo-catalog.json").read_text("utf-8"))
    import_catalog(ctx, catalog)
    enroll_station(ctx, enroll_url, enrollment_code(server_db, 0))
    # The protocol caps a procedure name at 500 characters (the server's column); the demo
    # catalog's 1.013831 has 569 and would be refused: left out (reported in docs/benchmarks.md).
    return ctx, [p["code"] for p in catalog["procedures"] if len(p["name"]) <= 500]


def register_many(ctx, procedures: list[str], count: int, seed: int) -> list[str]:
    """`count` dossiers through the real registration service, PER_DAY per receipt day."""
    from sqlalchemy import event

    def no_fsync(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")

    # Generating the dossiers is not measured: commits without fsync (on this VM a FULL commit
    # costs ~20 ms), then the pool is emptied so that the measured phases commit with FULL.
    ctx.db.engine.dispose()
    event.listen(ctx.db.engine, "connect", no_fsync)
    try:
        return _register(ctx, procedures, count, seed)
    finally:
        event.remove(ctx.db.engine, "connect", no_fsync)
        ctx.db.engine.dispose()


def _register(ctx, procedures: list[str], count: int, seed: int) -> list[str]:
    from counter_app.domain.office_time import OFFICE_TZ
    from counter_app.services.registration import register_dossier

    rng = random.Random(seed)
    first_day = datetime(2026, 11, 26, 8, 0, tzinfo=OFFICE_TZ) - timedelta(
        days=count // PER_DAY + 1
    )
    codes = []
    for i in range(count):
        moment = first_day + timedelta(days=i // PER_DAY, seconds=20 * (i % PER_DAY))
        ctx.clock = lambda moment=moment: moment
        data = {"procedure_code": rng.choice(procedures), "applicant": applicant(rng, moment)}
        codes.append(register_dossier(ctx, data)["code"])
    from counter_app.services.context import now_office

    ctx.clock = now_office
    return codes


def pending_payloads(ctx) -> list[dict]:
    from sqlalchemy import select

    from counter_app.models import OutboxItem

    with ctx.db.read() as session:
        return [
            r.payload
            for r in session.scalars(
                select(OutboxItem)
                .where(OutboxItem.acknowledged_at.is_(None))
                .order_by(OutboxItem.id)
            )
        ]


def gzip9_floor(records: list[dict]) -> tuple[int, int]:
    """(minimal JSON bytes, its gzip -9 size as one stream)."""
    raw = json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode()
    return len(raw), len(gzip.compress(raw, 9))


def minimal_dossiers(payloads: list[dict]) -> list[dict]:
    from counter_app.sync import protocol as p

    return [p.DossierPayload.model_validate(x).model_dump(mode="json") for x in payloads]


def sync_until_done(ctx, rounds: int = 20):
    """sync_once rounds until nothing is pending and nothing more was pulled.

    Returns the reports and, per step ("push", "pull"), the (start, end) moments of each call:
    the bulk step's window is where "link use while data flows" is measured.
    """
    from counter_app.sync import engine

    steps: dict[str, list[tuple[float, float]]] = {"push": [], "pull": []}
    originals = {"push": engine.push_outbox, "pull": engine.pull_changes}

    def timed(name):
        def step(*args):
            started = time.monotonic()
            try:
                return originals[name](*args)
            finally:
                steps[name].append((started, time.monotonic()))

        return step

    engine.push_outbox, engine.pull_changes = timed("push"), timed("pull")
    reports = []
    try:
        for _ in range(rounds):
            report = engine.sync_once(ctx)
            reports.append(report)
            if report.pending == 0 and report.pulled == 0:
                break
    finally:
        engine.push_outbox, engine.pull_changes = originals["push"], originals["pull"]
    return reports, steps


def step_seconds(windows: list[tuple[float, float]]) -> float:
    """The longest call of a step (the one that did the work)."""
    return max(b - a for a, b in windows)


def bulk_window(link: ShapedLink, windows: list[tuple[float, float]], direction: str):
    """The step call that carried the most bytes in `direction`: its DirectionStats."""
    picked = [getattr(link.window(a, b), direction) for a, b in windows]
    return max(picked, key=lambda d: d.bytes)


def agency_changes(server_db: str, codes: list[str]) -> None:
    """Every dossier moves received -> processing on the server (the agency's step)."""
    import uuid

    from sqlalchemy import select

    from central_server import service
    from central_server.db import ServerDatabase
    from central_server.models import Dossier, utcnow
    from counter_app.domain.status import Side, Status

    db = ServerDatabase(server_db)
    try:
        with db.transaction() as session:
            log = service.ChangeLog()
            dossiers = session.scalars(select(Dossier).where(Dossier.code.in_(codes))).all()
            for dossier in dossiers:
                service.apply_status_event(
                    session,
                    dossier,
                    uuid=str(uuid.uuid4()),
                    target=Status.PROCESSING,
                    side=Side.AGENCY,
                    seen_status=Status(dossier.status),
                    at=utcnow(),
                    log=log,
                )
            log.flush(session)
    finally:
        db.engine.dispose()


def change_records(server_db: str, after: int) -> list[dict]:
    from sqlalchemy import select

    from central_server.db import ServerDatabase
    from central_server.models import Change
    from counter_app.sync import protocol as p

    db = ServerDatabase(server_db)
    try:
        with db.transaction() as session:
            rows = session.scalars(
                select(Change.data)
                .where(Change.seq > after, Change.kind == p.CHANGE_EVENT)
                .order_by(Change.seq)
            ).all()
    finally:
        db.engine.dispose()
    return [p.DossierEventChange.model_validate(r).model_dump(mode="json") for r in rows]


def top_seq(server_db: str) -> int:
    from sqlalchemy import func, select

    from central_server.db import ServerDatabase
    from central_server.models import Change

    db = ServerDatabase(server_db)
    try:
        with db.transaction() as session:
            return session.scalar(select(func.max(Change.seq))) or 0
    finally:
        db.engine.dispose()


def server_has(server_db_psycopg: str, code: str) -> bool:
    import psycopg

    with psycopg.connect(server_db_psycopg, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM dossiers WHERE code = %s", (code,)).fetchone()
    return found is not None


class _Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def bare_post_seconds(body: bytes, trials: int, seed: int) -> list[float]:
    """One POST on a new connection through an identical line to a do-nothing server."""
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    times = []
    with ShapedLink(sink.server_address, rate_bps=RATE, rtt=RTT, loss=LOSS, seed=seed) as line:
        for _ in range(trials):
            started = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", line.port, timeout=30)
            conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            conn.getresponse().read()
            times.append(time.monotonic() - started)
            conn.close()
    sink.shutdown()
    return times


def latency_trials(ctx, procedures, psycopg_url: str, trials: int, seed: int) -> list[float]:
    """Register one dossier while the runner is idle and online; time until the server has it."""
    from counter_app.services.registration import register_dossier
    from counter_app.sync.runner import SyncRunner

    rng = random.Random(seed)
    idle = threading.Event()
    runner = SyncRunner(ctx, interval=60, on_report=lambda r: idle.set())
    runner.start()
    idle.wait(120)
    times = []
    try:
        for _ in range(trials):
            time.sleep(1.0)  # the runner is waiting for its next interval
            data = {"procedure_code": rng.choice(procedures), "applicant": applicant(rng, None)}
            code = register_dossier(ctx, data)["code"]
            started = time.monotonic()
            runner.wake()  # as the window does after a registration
            while not server_has(psycopg_url, code):
                if time.monotonic() - started > 60:
                    raise RuntimeError(f"dossier {code} did not reach the server in 60 s")
                time.sleep(0.01)
            times.append(time.monotonic() - started)
    finally:
        runner.stop()
    return times


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 dossiers, 3 latency trials")
    parser.add_argument("--latency-trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261126)
    add_json_argument(parser)
    args = parser.parse_args()
    count = 1000 if args.quick else args.dossiers
    trials = 3 if args.quick else args.latency_trials
    figures = Figures(
        f"Sync over a commune link ({RATE // 1000} kbit/s, {RTT * 1000:.0f} ms RTT, "
        f"{LOSS:.0%} loss): {count:,} dossiers"
    )

    work = Path(tempfile.mkdtemp(prefix="bench-sync-link-"))
    cluster = PostgresCluster()
    server = link = None
    ctx = None
    try:
        server_db = cluster.create_database("bench")
        server_ok(server_db, "migrate")
        server_ok(server_db, "unit", "add", "--code", UNIT, "--name", "UBND xã Tân Lập")
        server = ServerProcess(server_db).start()
        link = ShapedLink(
            ("127.0.0.1", server.port), rate_bps=RATE, rtt=RTT, loss=LOSS, seed=args.seed
        ).start()
        ctx, procedures = make_station(work, server.url, server_db)
        from counter_app.services.context import put_setting
        from counter_app.sync import engine

        with ctx.db.write() as session:
            put_setting(session, engine.SERVER_URL, link.url)

        # -- push ------------------------------------------------------------------------
        started = time.monotonic()
        codes = register_many(ctx, procedures, count, args.seed)
        print(
            f"registered {count} dossiers in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        raw, floor_a = gzip9_floor(minimal_dossiers(pending_payloads(ctx)))
        link.reset()
        started = time.monotonic()
        reports, steps = sync_until_done(ctx)
        push_seconds = time.monotonic() - started
        bulk = bulk_window(link, steps["push"], "up")
        push = link.reset()
        on_server = json.loads(server_ok(server_db, "stats", "--json"))
        held = on_server.get("dossiers", on_server)
        print(f"push: {push_seconds:.0f} s, server stats {held}", file=sys.stderr, flush=True)
        if reports[-1].pending:
            raise RuntimeError(f"{reports[-1].pending} outbox rows still pending")
        ratio = push.total_bytes / floor_a
        figures.add(
            f"push {count:,} dossiers: bytes both ways, HTTP included",
            f"{kib(push.total_bytes)} ({kib(push.up.bytes)} up, {kib(push.down.bytes)} down; "
            f"{ratio:.2f}× floor)",
            f"{kib(floor_a)} gzip -9 of minimal JSON ({kib(raw)} raw)",
            f"≤ {SIZE_TARGET}× floor",
            ratio <= SIZE_TARGET,
            f"{push.connections} connections, {len(reports)} rounds, {push_seconds:.0f} s; "
            f"+{kib(push.up.retransmitted_bytes + push.down.retransmitted_bytes)} "
            f"retransmitted, +~{kib(push.tcp_overhead())} TCP/IP headers (estimate)",
        )
        use = bulk.link_use(RATE)
        figures.add(
            "push: link use while data flows (upstream, push step)",
            f"{use:.0%}",
            "98 % (2 % of segments sent twice)",
            f"≥ {USE_TARGET:.0%}",
            use >= USE_TARGET,
            f"{bulk.bytes:,} B from first to last push byte, {bulk.busy_seconds:.1f} s; over "
            f"the whole push step ({step_seconds(steps['push']):.0f} s, server time included): "
            f"{bulk.bytes * 8 / (step_seconds(steps['push']) * RATE):.0%}",
        )

        # -- pull ------------------------------------------------------------------------
        before = top_seq(server_db)
        started = time.monotonic()
        agency_changes(server_db, codes)
        changes = change_records(server_db, before)
        print(
            f"{len(changes)} agency changes made in {time.monotonic() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        raw_b, floor_b = gzip9_floor(changes)
        link.reset()
        started = time.monotonic()
        reports, steps = sync_until_done(ctx)
        pull_seconds = time.monotonic() - started
        bulk = bulk_window(link, steps["pull"], "down")
        pull = link.reset()
        pulled = sum(r.pulled for r in reports)
        ratio_b = pull.total_bytes / floor_b
        figures.add(
            f"pull {len(changes):,} status changes: bytes both ways, HTTP included",
            f"{kib(pull.total_bytes)} ({kib(pull.up.bytes)} up, {kib(pull.down.bytes)} down; "
            f"{ratio_b:.2f}× floor)",
            f"{kib(floor_b)} gzip -9 of minimal JSON ({kib(raw_b)} raw)",
            f"≤ {SIZE_TARGET}× floor",
            ratio_b <= SIZE_TARGET,
            f"{pulled} changes applied, {pull.connections} connections, {len(reports)} rounds, "
            f"{pull_seconds:.0f} s",
        )
        use_b = bulk.link_use(RATE)
        figures.add(
            "pull: link use while data flows (downstream, pull step)",
            f"{use_b:.0%}",
            "98 % (2 % of segments sent twice)",
            f"≥ {USE_TARGET:.0%}",
            use_b >= USE_TARGET,
            f"{bulk.bytes:,} B from first to last page byte, {bulk.busy_seconds:.1f} s; over "
            f"the whole pull step ({step_seconds(steps['pull']):.0f} s, applying included): "
            f"{bulk.bytes * 8 / (step_seconds(steps['pull']) * RATE):.0%}",
        )

        # -- latency ---------------------------------------------------------------------
        psycopg_url = server_db.replace("+psycopg", "")
        times = latency_trials(ctx, procedures, psycopg_url, trials, args.seed + 1)
        sample = json.dumps(
            minimal_dossiers([reports_last_payload(ctx)]), ensure_ascii=False
        ).encode()
        floor = bare_post_seconds(sample, trials, args.seed + 2)
        figures.add(
            "one dossier registered online reaches the server (median / max)",
            f"{ms(statistics.median(times))} / {ms(max(times))}",
            f"{ms(statistics.median(floor))} / {ms(max(floor))} (bare POST, new connection)",
            f"≤ {LATENCY_TARGET:.0f} s",
            max(times) <= LATENCY_TARGET,
            f"{trials} trials, p90 {ms(percentile(times, 90))}; runner woken as the window "
            "does after a registration",
        )
    finally:
        if ctx is not None:
            ctx.db.close()
        if link is not None:
            link.close()
        if server is not None:
            server.stop()
        cluster.stop()
    figures.print_table()
    figures.write_json(args.json)
    return 0


def reports_last_payload(ctx) -> dict:
    from sqlalchemy import select

    from counter_app.models import OutboxItem

    with ctx.db.read() as session:
        row = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.kind == "dossier.received")
            .order_by(OutboxItem.id.desc())
            .limit(1)
        ).first()
        return row.payload


if __name__ == "__main__":
    sys.exit(main())
