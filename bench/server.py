"""Central server figures, each next to its floor measured in the same run: push ingest
(events per second), a pull page of 1,000 changes, and the public status lookup.

The real server (`counter-server serve`, uvicorn) runs over loopback HTTP on a throwaway
PostgreSQL cluster with PostgreSQL's production defaults (fsync and synchronous_commit on;
`--fast-cluster` takes the test suite's fsync=off settings instead). The database is first filled
with a province's history (`--dossiers`, spread over `--units` communes, with their status
events, push receipts and change feed), then:

1. ingest: `--counters` simulated counters push their outboxes (registrations and status events
   shaped by counter_app/sync/protocol.py, in the counter's batch size, gzip bodies) at once;
   floor: psycopg inserting the same rows in the same batch transactions (executemany), with as
   many connections, over the same loopback TCP;
2. pull: `GET /api/v1/changes?limit=1000` from random cursors of one unit's feed; floor: the
   same SQL query returning the same 1,000 rows through psycopg;
3. status lookup: `GET /api/v1/track/{code}` of random dossiers on one keep-alive session;
   floors: the same lookup by code in SQL through psycopg, and an empty FastAPI endpoint under
   the same uvicorn (bench/http_floor.py).

    .venv/bin/python bench/server.py                  # 500,000 dossiers (seeding 7-9 min, cached)
    .venv/bin/python bench/server.py --quick          # 30,000 dossiers, about a minute
    .venv/bin/python bench/server.py --workers 4 --json server.json

The seeded history is cached: after seeding, PostgreSQL is stopped cleanly and its data folder
copied to bench/.data/server-<units>u-<dossiers>d-seed<SEED_VERSION>/ (gitignored; ~3 GB at
full size) with the database's name in meta.json. A later run with the same sizes copies that
folder (`cp -a`) into its throwaway cluster and starts PostgreSQL on the copy, so the cache is
never written to; `counter-server migrate` then upgrades the copy in place if the server has
new migrations. Bump SEED_VERSION when seed_history changes what it writes; `--reseed` seeds
afresh and replaces the cache, `--no-cache` neither reads nor writes it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# This script is itself named "server": keep its folder off the path while the tests' server
# harness is imported, then put it back (at the end) for figures.py.
sys.path[:] = [str(ROOT / "tests"), str(ROOT)] + [
    entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"
]
from server.harness import PostgresCluster, ServerProcess, free_port, server_ok  # noqa: E402

sys.path.append(str(ROOT / "bench"))
from figures import Figures, add_json_argument, ms, percentile  # noqa: E402

from counter_app.domain.office_time import OFFICE_TZ  # noqa: E402
from counter_app.domain.status import Status  # noqa: E402
from counter_app.sync import engine  # noqa: E402
from counter_app.sync import protocol as p  # noqa: E402

HEADERS = {
    p.HEADER_PROTOCOL: str(p.PROTOCOL_VERSION),
    p.HEADER_COUNTER_VERSION: "0.1.0",
    "Accept-Encoding": "gzip",
}
PAGE = 1000
DOSSIERS_PER_DAY = 40  # per unit in the seeded history
SEED_START = date(2021, 1, 4)
PUSH_START = date(2026, 1, 5)
SEED_VERSION = 1  # bump when seed_history writes something else: the cached copies are stale
CACHE = ROOT / "bench" / ".data"


def unit_code(n: int) -> str:
    return f"000.{n // 100:02d}.{n % 100:02d}.H49"


# -- payloads, shaped by the protocol module ------------------------------------------------

PROCEDURE = p.ProcedureRef(
    code="1.001193",
    version=1,
    name="Đăng ký khai sinh",
    sector="Hộ tịch",
    agency="UBND cấp xã",
    duration={"kind": "working_days", "value": 3},
)
DOCUMENTS = [
    p.DocumentLine(name="Tờ khai đăng ký khai sinh theo mẫu", original=1),
    p.DocumentLine(name="Giấy chứng sinh", original=1),
    p.DocumentLine(name="Giấy tờ tùy thân của người đi đăng ký", photocopy=1),
    p.DocumentLine(name="Giấy chứng nhận kết hôn của cha, mẹ", certified_copy=1),
]


def registration(
    d_uuid: str, code: str, event_uuid: str, at: datetime, station: int, n: int
) -> dict:
    return p.DossierPayload(
        uuid=d_uuid,
        code=code,
        event_uuid=event_uuid,
        status="received",
        received_at=at,
        appointment_at=at + timedelta(days=3),
        station=station,
        procedure=PROCEDURE,
        applicant=p.Applicant(
            full_name=f"Nguyễn Thị Hồng Nhung {n}",
            id_number=f"001{190000000 + n:09d}",
            date_of_birth=date(1990, 5, 17),
            gender="Nữ",
            address="Thôn Đông Hạ, xã Tân Lập, huyện Đan Phượng, thành phố Hà Nội",
            phone="0912 345 678",
        ),
        documents=DOCUMENTS,
        receiving_clerk="nguyenvana",
    ).model_dump(mode="json")


def status_change(
    e_uuid: str, d_uuid: str, code: str, at: datetime, source: Status, target: Status, side: str
) -> dict:
    return p.StatusChangePayload(
        uuid=e_uuid,
        dossier_uuid=d_uuid,
        code=code,
        at=at,
        from_status=source.key,
        to_status=target.key,
        action="result_ready" if target == Status.RESULT_READY else "hand_back",
        side=side,
        clerk="nguyenvana" if side == "counter" else None,
    ).model_dump(mode="json")


@dataclass
class Outbox:
    """One counter's outbox in push order, cut in the counter's batches."""

    unit: int
    station: int
    batches: list[list[dict]] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(len(b) for b in self.batches)


def build_outbox(unit: int, station: int, dossiers: int, seed: int) -> Outbox:
    """Registrations as the day goes; 60 % of the dossiers later get "result ready" (an agency
    step recorded at the commune) and are handed back, a few dozen items after."""
    rng = random.Random(seed)
    items: list[dict] = []
    later: list[tuple[int, dict]] = []  # (emit after this many items, item)
    for n in range(dossiers):
        day = PUSH_START + timedelta(days=n // DOSSIERS_PER_DAY)
        at = datetime(day.year, day.month, day.day, 7, 30, tzinfo=OFFICE_TZ) + timedelta(
            minutes=10 * (n % DOSSIERS_PER_DAY)
        )
        code = f"{unit_code(unit)}-{day:%y%m%d}-{station * 1000 + n % DOSSIERS_PER_DAY + 1:04d}"
        d_uuid = str(uuid.uuid4())
        payload = registration(d_uuid, code, str(uuid.uuid4()), at, station, n)
        items.append(_item(p.KIND_DOSSIER_RECEIVED, d_uuid, at, payload))
        if rng.random() < 0.6:
            ready, back = at + timedelta(days=2), at + timedelta(days=3)
            later.append(
                (
                    len(items) + rng.randint(20, 80),
                    _item(
                        p.KIND_STATUS_CHANGED,
                        d_uuid,
                        ready,
                        status_change(
                            str(uuid.uuid4()),
                            d_uuid,
                            code,
                            ready,
                            Status.RECEIVED,
                            Status.RESULT_READY,
                            "agency",
                        ),
                    ),
                )
            )
            later.append(
                (
                    len(items) + rng.randint(100, 200),
                    _item(
                        p.KIND_STATUS_CHANGED,
                        d_uuid,
                        back,
                        status_change(
                            str(uuid.uuid4()),
                            d_uuid,
                            code,
                            back,
                            Status.RESULT_READY,
                            Status.RETURNED,
                            "counter",
                        ),
                    ),
                )
            )
        later.sort(key=lambda pair: pair[0])
        while later and later[0][0] <= len(items):
            items.append(later.pop(0)[1])
    items.extend(item for _, item in later)
    box = Outbox(unit, station)
    box.batches = counter_batches(items)
    return box


def counter_batches(items: list[dict]) -> list[list[dict]]:
    """Cut as the counter's engine cuts its outbox for this server: up to the server's item
    limit or engine.PUSH_BATCH_BYTES of JSON (an engine without a byte limit: PUSH_BATCH)."""
    limit_bytes = getattr(engine, "PUSH_BATCH_BYTES", None)
    if limit_bytes is None:
        return [items[i : i + engine.PUSH_BATCH] for i in range(0, len(items), engine.PUSH_BATCH)]
    batches: list[list[dict]] = [[]]
    size = 0
    for item in items:
        size += len(json.dumps(item["payload"], ensure_ascii=False)) + 160
        if batches[-1] and (size > limit_bytes or len(batches[-1]) >= p.MAX_PUSH_ITEMS):
            batches.append([])
            size = len(json.dumps(item["payload"], ensure_ascii=False)) + 160
        batches[-1].append(item)
    return batches


def _item(kind: str, d_uuid: str, at: datetime, payload: dict) -> dict:
    return p.PushItem(
        uuid=str(uuid.uuid4()), kind=kind, dossier_uuid=d_uuid, created_at=at, payload=payload
    ).model_dump(mode="json")


def push_body(batch: list[dict]) -> bytes:
    """The bytes the counter's SyncClient sends for a batch."""
    body = p.PushRequest.model_validate({"items": batch}).model_dump(mode="json")
    return gzip.compress(json.dumps(body, ensure_ascii=False).encode(), compresslevel=6)


# -- the history: a province's years of dossiers, in SQL --------------------------------------


def seed_history(dsn: str, units: int, dossiers: int) -> dict[str, int]:
    """Units, one device each, dossiers with their events (70 % returned: result ready and
    hand-back), one push receipt per dossier and event, and the change feed, all by SQL."""
    import psycopg
    from psycopg.types.json import Jsonb

    at = datetime(2021, 1, 4, 8, 0, tzinfo=OFFICE_TZ)
    code = unit_code(1) + "-210104-0001"
    template = registration(str(uuid.uuid4()), code, str(uuid.uuid4()), at, 0, 1)
    event_template = p.DossierEventChange(
        uuid=str(uuid.uuid4()),
        dossier_uuid=str(uuid.uuid4()),
        code=code,
        at=at,
        from_status="received",
        to_status="result_ready",
        action="result_ready",
        side="agency",
        applied=True,
        status_after="result_ready",
        appointment_after=at,
    ).model_dump(mode="json")
    per_day = DOSSIERS_PER_DAY
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '256MB'")
        run = _timed(conn)
        with conn.transaction():
            run(
                "INSERT INTO units (id, code, name, created_at) SELECT g, "
                "format('000.%%s.%%s.H49', lpad((g / 100)::text, 2, '0'), "
                "lpad((g %% 100)::text, 2, '0')), 'UBND xã số ' || g, now() "
                "FROM generate_series(1, %s) g",
                (units,),
            )
            run("SELECT setval('units_id_seq', %s)", (units,))
            run(
                "INSERT INTO devices (token_hash, unit_id, station, name, enrolled_at, "
                "counter_version) SELECT md5(random()::text) || md5(random()::text), id, 0, "
                "'seed', now(), '0.1.0' FROM units"
            )
            run(
                """
                CREATE TEMP TABLE seed ON COMMIT DROP AS
                SELECT g, 1 + g %% %(units)s AS unit_id, s.day, s.num, s.received_at,
                       gen_random_uuid()::text AS uuid, gen_random_uuid()::text AS ev,
                       gen_random_uuid()::text AS item,
                       u.code || '-' || to_char(s.day, 'YYMMDD') || '-'
                           || lpad(s.num::text, 4, '0') AS code,
                       CASE WHEN g %% 10 < 7 THEN 10 WHEN g %% 10 < 9 THEN 4 ELSE 2 END
                           AS status
                FROM generate_series(0, %(n)s - 1) g
                CROSS JOIN LATERAL (
                    SELECT %(start)s::date + ((g / %(units)s) / %(per_day)s)::int AS day,
                           1 + (g / %(units)s) %% %(per_day)s AS num
                ) d
                CROSS JOIN LATERAL (
                    SELECT d.day, d.num, (d.day + time '08:00' + d.num * interval '9 minutes')
                           AT TIME ZONE 'Asia/Ho_Chi_Minh' AS received_at
                ) s
                JOIN units u ON u.id = 1 + g %% %(units)s
                """,
                {"units": units, "n": dossiers, "start": SEED_START, "per_day": per_day},
            )
            run("CREATE UNIQUE INDEX ON seed (g)")
            run("ANALYZE seed")
            run(
                """
                INSERT INTO dossiers (uuid, code, unit_id, station, receipt_day, procedure_code,
                    procedure_name, status, received_at, appointment_at, returned_at, payload,
                    created_at, updated_at)
                SELECT uuid, code, unit_id, 0, day, %(pcode)s, %(pname)s, status, received_at,
                    received_at + interval '3 days',
                    CASE WHEN status = 10 THEN received_at + interval '3 days' END,
                    %(template)s::jsonb || jsonb_build_object('uuid', uuid, 'code', code,
                        'event_uuid', ev, 'received_at', received_at,
                        'appointment_at', received_at + interval '3 days'),
                    received_at, received_at
                FROM seed ORDER BY g
                """,
                {"pcode": PROCEDURE.code, "pname": PROCEDURE.name, "template": Jsonb(template)},
            )
            run(
                """
                CREATE TEMP TABLE seed_events ON COMMIT DROP AS
                SELECT s.g, s.unit_id, d.id AS dossier_id, s.uuid AS dossier_uuid, s.code,
                       e.step, gen_random_uuid()::text AS uuid, gen_random_uuid()::text AS item,
                       s.received_at + (e.step - 1) * interval '1 day' AS at
                FROM seed s JOIN dossiers d ON d.uuid = s.uuid
                CROSS JOIN LATERAL generate_series(1, CASE WHEN s.status = 10 THEN 3 ELSE 1 END)
                    AS e(step)
                """
            )
            run("ANALYZE seed_events")
            run(
                """
                INSERT INTO status_events (uuid, dossier_id, from_status, to_status, action,
                    side, clerk, at, reason, appointment_at, applied, device_id, recorded_at)
                SELECT CASE WHEN e.step = 1 THEN s.ev ELSE e.uuid END, e.dossier_id,
                    CASE e.step WHEN 1 THEN NULL WHEN 2 THEN 2 ELSE 9 END,
                    CASE e.step WHEN 1 THEN 2 WHEN 2 THEN 9 ELSE 10 END,
                    CASE e.step WHEN 1 THEN 'receive' WHEN 2 THEN 'result_ready'
                        ELSE 'hand_back' END,
                    CASE e.step WHEN 2 THEN 'agency' ELSE 'counter' END,
                    'nguyenvana', e.at, '', NULL, true, s.unit_id, e.at
                FROM seed_events e JOIN seed s ON s.g = e.g ORDER BY e.at, e.g
                """
            )
            run(
                """
                INSERT INTO received_items (uuid, unit_id, device_id, kind, content_sha256,
                    outcome, applied, received_at)
                SELECT e.item, e.unit_id, e.unit_id,
                    CASE WHEN e.step = 1 THEN 'dossier.received' ELSE 'dossier.status_changed'
                    END, md5(e.item) || md5(e.uuid), 'accepted',
                    CASE WHEN e.step = 1 THEN NULL ELSE true END, e.at
                FROM seed_events e ORDER BY e.at, e.g
                """
            )
            run(
                """
                INSERT INTO changes (seq, unit_id, kind, data, created_at)
                SELECT row_number() OVER (ORDER BY e.at, e.g, e.step), e.unit_id,
                    CASE WHEN e.step = 1 THEN 'dossier.received' ELSE 'dossier.event' END,
                    CASE WHEN e.step = 1 THEN d.payload
                    ELSE %(event)s::jsonb || jsonb_build_object('uuid', e.uuid,
                        'dossier_uuid', e.dossier_uuid, 'code', e.code, 'at', e.at,
                        'from_status', CASE e.step WHEN 2 THEN 'received' ELSE 'result_ready'
                            END,
                        'to_status', CASE e.step WHEN 2 THEN 'result_ready' ELSE 'returned' END,
                        'action', CASE e.step WHEN 2 THEN 'result_ready' ELSE 'hand_back' END,
                        'side', CASE e.step WHEN 2 THEN 'agency' ELSE 'counter' END,
                        'status_after', CASE e.step WHEN 2 THEN 'result_ready' ELSE 'returned'
                            END,
                        'appointment_after', e.at)
                    END, e.at
                FROM seed_events e JOIN dossiers d ON d.id = e.dossier_id
                """,
                {"event": Jsonb(event_template)},
            )
            run("UPDATE change_counter SET value = (SELECT max(seq) FROM changes)")
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")
        return table_sizes(conn)


def _timed(conn):
    def run(sql: str, params=None):
        started = time.perf_counter()
        conn.execute(sql, params)
        print(f"  {time.perf_counter() - started:6.1f} s  {' '.join(sql.split())[:60]}", flush=True)

    return run


def table_sizes(conn) -> dict[str, int]:
    return {
        name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for name in ("dossiers", "status_events", "received_items", "changes")
    }


# -- CPU accounting -----------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds used by a process, its live descendants and the children it has reaped
    (PostgreSQL's backends, uvicorn's workers): the cost of a measure, less tied to the load
    than its rate."""
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                raw = (entry / "stat").read_text()
                rest = raw[raw.rindex(")") + 2 :].split()
                table[int(entry.name)] = (int(rest[1]), sum(int(x) for x in rest[11:15]))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            total += table[pid][1]
            todo.extend(child for child, (parent, _) in table.items() if parent == pid)
    return total / TICK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- 1. ingest --------------------------------------------------------------------------------


def run_threads(work, arguments: list) -> float:
    """Run work(argument) in one thread each, all released at once; the wall time."""
    errors: list[BaseException] = []
    ready = threading.Barrier(len(arguments) + 1)

    def run(argument):
        ready.wait()
        try:
            work(argument)
        except BaseException as error:  # reported after the join
            errors.append(error)

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    ready.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def ingest_http(server_url: str, boxes: list[Outbox], tokens: dict[int, str]) -> dict:
    bodies = {box.unit: [push_body(b) for b in box.batches] for box in boxes}
    latencies: list[float] = []

    def push_all(box: Outbox) -> None:
        with requests.Session() as session:
            session.headers.update(HEADERS)
            session.headers.update(
                {
                    "Authorization": f"Bearer {tokens[box.unit]}",
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                }
            )
            for body, batch in zip(bodies[box.unit], box.batches, strict=True):
                started = time.perf_counter()
                answer = session.post(f"{server_url}/api/v1/push", data=body, timeout=120)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise RuntimeError(f"push answered {answer.status_code}: {answer.text[:300]}")
                results = answer.json()["results"]
                refused = [r for r in results if r["outcome"] != "accepted" or r.get("note")]
                if len(results) != len(batch) or refused:
                    raise RuntimeError(f"push not accepted as a whole: {refused[:2]}")

    elapsed = run_threads(push_all, boxes)
    events = sum(box.items for box in boxes)
    batches = sum(len(box.batches) for box in boxes)
    return {
        "events": events,
        "seconds": elapsed,
        "latencies": latencies,
        "batch": events / batches,
    }


def ingest_floor(dsn: str, boxes: list[Outbox]) -> dict:
    """The same rows in the same batch transactions, through psycopg with executemany: the
    dossiers, their receipt events, the status events and the dossiers' new status, one push
    receipt per item, and the change feed entries numbered from the counter row."""
    import psycopg
    from psycopg.types.json import Jsonb

    plans = {box.unit: [_floor_rows(box, batch) for batch in box.batches] for box in boxes}
    with psycopg.connect(dsn) as conn:
        device = dict(conn.execute("SELECT unit_id, id FROM devices").fetchall())

    def insert_all(box: Outbox) -> None:
        ids: dict[str, int] = {}
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            for plan in plans[box.unit]:
                with conn.transaction():
                    if plan["dossiers"]:
                        cur.executemany(
                            "INSERT INTO dossiers (uuid, code, unit_id, station, receipt_day, "
                            "procedure_code, procedure_name, status, received_at, "
                            "appointment_at, payload, created_at, updated_at) VALUES "
                            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), now()) "
                            "RETURNING id",
                            [(*row[:10], Jsonb(row[10])) for row in plan["dossiers"]],
                            returning=True,
                        )
                        for row in plan["dossiers"]:
                            ids[row[0]] = cur.fetchone()[0]
                            cur.nextset()
                    cur.executemany(
                        "INSERT INTO status_events (uuid, dossier_id, from_status, to_status, "
                        "action, side, clerk, at, reason, appointment_at, applied, device_id, "
                        "recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, true, "
                        "%s, now())",
                        [(e[0], ids[e[1]], *e[2:9], device[box.unit]) for e in plan["events"]],
                    )
                    if plan["updates"]:
                        cur.executemany(
                            "UPDATE dossiers SET status = %s, returned_at = %s, "
                            "updated_at = now() WHERE id = %s",
                            [(u[1], u[2], ids[u[0]]) for u in plan["updates"]],
                        )
                    cur.executemany(
                        "INSERT INTO received_items (uuid, unit_id, device_id, kind, "
                        "content_sha256, outcome, applied, received_at) VALUES "
                        "(%s, %s, %s, %s, %s, 'accepted', %s, now())",
                        [(r[0], box.unit, device[box.unit], *r[1:]) for r in plan["received"]],
                    )
                    top = cur.execute(
                        "UPDATE change_counter SET value = value + %s WHERE id = 1 RETURNING value",
                        (len(plan["changes"]),),
                    ).fetchone()[0]
                    first = top - len(plan["changes"]) + 1
                    cur.executemany(
                        "INSERT INTO changes (seq, unit_id, kind, data, created_at) "
                        "VALUES (%s, %s, %s, %s, now())",
                        [
                            (first + i, box.unit, kind, Jsonb(data))
                            for i, (kind, data) in enumerate(plan["changes"])
                        ],
                    )

    elapsed = run_threads(insert_all, boxes)
    return {"events": sum(box.items for box in boxes), "seconds": elapsed}


def _floor_rows(box: Outbox, batch: list[dict]) -> dict[str, list]:
    """The rows the server writes for a batch, computed before the clock starts."""
    rows: dict[str, list] = {
        k: [] for k in ("dossiers", "events", "updates", "received", "changes")
    }
    for item in batch:
        payload = item["payload"]
        digest = uuid.uuid5(uuid.NAMESPACE_OID, item["uuid"]).hex * 2
        if item["kind"] == p.KIND_DOSSIER_RECEIVED:
            received = datetime.fromisoformat(payload["received_at"])
            rows["dossiers"].append(
                (
                    payload["uuid"],
                    payload["code"],
                    box.unit,
                    box.station,
                    received.date(),
                    PROCEDURE.code,
                    PROCEDURE.name,
                    int(Status.RECEIVED),
                    received,
                    datetime.fromisoformat(payload["appointment_at"]),
                    payload,
                )
            )
            rows["events"].append(
                (
                    payload["event_uuid"],
                    payload["uuid"],
                    None,
                    int(Status.RECEIVED),
                    "receive",
                    "counter",
                    payload["receiving_clerk"],
                    received,
                    datetime.fromisoformat(payload["appointment_at"]),
                )
            )
            rows["received"].append((item["uuid"], item["kind"], digest, None))
            rows["changes"].append((p.CHANGE_DOSSIER, payload))
        else:
            at = datetime.fromisoformat(payload["at"])
            target = Status.parse(payload["to_status"])
            rows["events"].append(
                (
                    payload["uuid"],
                    payload["dossier_uuid"],
                    int(Status.parse(payload["from_status"])),
                    int(target),
                    payload["action"],
                    payload["side"],
                    payload["clerk"],
                    at,
                    None,
                )
            )
            rows["updates"].append(
                (payload["dossier_uuid"], int(target), at if target == Status.RETURNED else None)
            )
            rows["received"].append((item["uuid"], item["kind"], digest, True))
            rows["changes"].append(
                (
                    p.CHANGE_EVENT,
                    payload
                    | {
                        "applied": True,
                        "note": None,
                        "status_after": target.key,
                        "appointment_after": payload["at"],
                    },
                )
            )
    return rows


# -- 2. pull ----------------------------------------------------------------------------------


def pull_page(
    server_url: str, server_pid: int, token: str, dsn: str, unit: int, pages: int
) -> dict:
    import psycopg

    with psycopg.connect(dsn) as conn:
        seqs = [
            r[0]
            for r in conn.execute(
                "SELECT seq FROM changes WHERE unit_id = %s OR unit_id IS NULL ORDER BY seq",
                (unit,),
            )
        ]
    if len(seqs) <= PAGE:
        raise RuntimeError(f"unit {unit} has only {len(seqs)} changes")
    rng = random.Random(8)
    cursors = [seqs[rng.randrange(0, len(seqs) - PAGE)] for _ in range(pages)]
    figures: dict[str, list[float]] = {"gzip": [], "identity": [], "sql": []}
    sizes: dict[str, int] = {}
    with requests.Session() as session:
        session.headers.update(HEADERS | {"Authorization": f"Bearer {token}"})
        cpu: dict[str, float] = {}
        for encoding in ("gzip", "identity"):
            before = tree_cpu(server_pid)
            for i, cursor in enumerate([cursors[0], *cursors]):  # the first one warms up
                started = time.perf_counter()
                answer = session.get(
                    f"{server_url}/api/v1/changes",
                    params={"after": cursor, "limit": PAGE},
                    headers={"Accept-Encoding": encoding},
                    stream=True,
                    timeout=60,
                )
                raw = answer.raw.read(decode_content=False)
                elapsed = time.perf_counter() - started
                if answer.status_code != 200:
                    raise RuntimeError(f"changes answered {answer.status_code}: {raw[:300]!r}")
                if i:
                    figures[encoding].append(elapsed)
                sizes[encoding] = len(raw)
            cpu[encoding] = (tree_cpu(server_pid) - before) / (len(cursors) + 1)
            body = json.loads(gzip.decompress(raw) if encoding == "gzip" else raw)
            if len(body["changes"]) != PAGE:
                raise RuntimeError(f"a page of {len(body['changes'])} changes, not {PAGE}")
    with psycopg.connect(dsn) as conn:
        for i, cursor in enumerate([cursors[0], *cursors]):
            started = time.perf_counter()
            rows = conn.execute(PULL_SQL, {"unit": unit, "after": cursor, "n": PAGE + 1}).fetchall()
            elapsed = time.perf_counter() - started
            if i:
                figures["sql"].append(elapsed)
            assert len(rows) >= PAGE
    return {"times": figures, "sizes": sizes, "feed": len(seqs), "cpu": cpu}


# The same rows by hand: the unit's range and the shared range of ix_changes_unit_seq, merged
# by PostgreSQL, the data as the JSON text it stores (nothing decoded).
PULL_SQL = """
SELECT seq, kind, data::text FROM (
    (SELECT seq, kind, data FROM changes WHERE unit_id = %(unit)s AND seq > %(after)s
     ORDER BY seq LIMIT %(n)s)
    UNION ALL
    (SELECT seq, kind, data FROM changes WHERE unit_id IS NULL AND seq > %(after)s
     ORDER BY seq LIMIT %(n)s)
) page ORDER BY seq LIMIT %(n)s
"""


# -- 3. public status lookup ------------------------------------------------------------------


def lookups(
    server_url: str, server_pid: int, floor_url: str, dsn: str, count: int
) -> dict[str, list[float]]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        top = conn.execute("SELECT max(id) FROM dossiers").fetchone()[0]
        rng = random.Random(5)
        wanted = [rng.randint(1, top) for _ in range(count)]
        codes = [
            r[0] for r in conn.execute("SELECT code FROM dossiers WHERE id = ANY(%s)", (wanted,))
        ]
    rng.shuffle(codes)
    warm = codes[:100]
    times: dict[str, list[float]] = {"api": [], "page": [], "sql": [], "empty": []}

    with requests.Session() as session, psycopg.connect(dsn) as conn:
        session.headers.update(HEADERS)

        def api(code: str) -> None:
            answer = session.get(f"{server_url}/api/v1/track/{code}", timeout=10)
            if answer.status_code != 200 or answer.json()["code"] != code:
                raise RuntimeError(f"track answered {answer.status_code}: {answer.text[:200]}")

        def page(code: str) -> None:
            answer = session.get(f"{server_url}/track/{code}", timeout=10)
            if answer.status_code != 200:
                raise RuntimeError(f"track page answered {answer.status_code}")

        def empty(_code: str) -> None:
            if session.get(f"{floor_url}/empty", timeout=10).status_code != 200:
                raise RuntimeError("empty endpoint failed")

        def sql(code: str) -> None:
            row = conn.execute(
                "SELECT code, procedure_code, procedure_name, status, received_at, "
                "appointment_at, returned_at FROM dossiers WHERE code = %s",
                (code,),
            ).fetchone()
            assert row is not None

        calls = [("api", api), ("page", page), ("sql", sql), ("empty", empty)]
        for code in warm:
            for _, call in calls:
                call(code)
        before = tree_cpu(server_pid)
        # Interleaved, the one going first rotating: each code's first touch (PostgreSQL reading
        # its index and heap pages into shared buffers) falls on each measure alike.
        for i, code in enumerate(codes):
            for name, call in calls[i % 4 :] + calls[: i % 4]:
                started = time.perf_counter()
                call(code)
                times[name].append(time.perf_counter() - started)
        times["cpu"] = [(tree_cpu(server_pid) - before) / (2 * len(codes))]
    return times


# -- the run ----------------------------------------------------------------------------------


def enroll(server: ServerProcess, url: str, unit: int, station: int) -> str:
    code = server_ok(url, "enroll", "--unit-code", unit_code(unit), "--station", str(station))
    answer = requests.post(
        f"{server.url}/api/v1/enroll",
        json={"code": code.strip().splitlines()[-1]},
        headers=HEADERS,
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["token"]


@contextlib.contextmanager
def http_floor_process():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "http_floor:app",
            "--app-dir",
            str(ROOT / "bench"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/empty", timeout=1).ok:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the empty FastAPI app did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def keep_seeded(cluster: PostgresCluster, cache: Path, database: str, sizes: dict) -> None:
    """Copy the stopped cluster's data folder to `cache` (meta.json last: a copy cut short is
    not used), then start the cluster again."""
    started = time.perf_counter()
    cluster.stop_clean()
    try:
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        subprocess.run(
            ["cp", "-a", "--reflink=auto", str(cluster.data), str(cache / "data")], check=True
        )
        meta = {"database": database, "sizes": sizes, "seed_version": SEED_VERSION}
        (cache / "meta.json").write_text(json.dumps(meta, indent=1))
    finally:
        cluster.start()
    elapsed = time.perf_counter() - started
    print(f"seeded history kept in {cache.relative_to(ROOT)} ({elapsed:.0f} s)", flush=True)


def pg_settings(dsn: str) -> str:
    import psycopg

    names = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers")
    with psycopg.connect(dsn) as conn:
        return ", ".join(f"{n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--dossiers", type=int, help="dossiers in the history (500,000)")
    parser.add_argument("--units", type=int, default=100, help="communes in the history")
    parser.add_argument("--counters", type=int, default=8, help="counters pushing at once")
    parser.add_argument(
        "--push-dossiers", type=int, help="dossiers each counter pushes (1,500; quick: 300)"
    )
    parser.add_argument("--pages", type=int, help="pull pages timed (50; quick: 15)")
    parser.add_argument("--lookups", type=int, help="status lookups timed (3,000; quick: 500)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--fast-cluster",
        action="store_true",
        help="fsync=off, synchronous_commit=off (the test suite's cluster) instead of the "
        "production defaults",
    )
    parser.add_argument(
        "--reseed", action="store_true", help="seed afresh and replace the cached history"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="seed afresh; neither read nor write the cache"
    )
    add_json_argument(parser)
    args = parser.parse_args()
    dossiers = args.dossiers or (30_000 if args.quick else 500_000)
    push_dossiers = args.push_dossiers or (300 if args.quick else 1500)
    pages = args.pages or (15 if args.quick else 50)
    count = args.lookups or (500 if args.quick else 3000)
    if args.units < 2 * args.counters:
        parser.error("--units must be at least twice --counters")

    figures = Figures("Central server (PostgreSQL)")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    cache = CACHE / f"server-{args.units}u-{dossiers}d-seed{SEED_VERSION}"
    use_cache = not args.no_cache and not args.reseed and (cache / "meta.json").exists()
    started = time.perf_counter()
    cluster = PostgresCluster(
        durable=not args.fast_cluster, data_from=cache / "data" if use_cache else None
    )
    server = None
    try:
        if use_cache:
            meta = json.loads((cache / "meta.json").read_text())
            url = cluster.url(meta["database"])
            dsn = url.replace("+psycopg", "")
            server_ok(url, "migrate")
            sizes = meta["sizes"]
            print(
                f"history copied from {cache.relative_to(ROOT)} in "
                f"{time.perf_counter() - started:.0f} s: {sizes}",
                flush=True,
            )
        else:
            url = cluster.create_database("bench")
            dsn = url.replace("+psycopg", "")
            server_ok(url, "migrate")
            sizes = seed_history(dsn, args.units, dossiers)
            print(f"history seeded in {time.perf_counter() - started:.0f} s: {sizes}", flush=True)
            if not args.no_cache:
                keep_seeded(cluster, cache, url.rsplit("/", 1)[1], sizes)
        settings = pg_settings(dsn)
        print(f"PostgreSQL: {settings}", flush=True)

        server = ServerProcess(
            url,
            env={"COUNTER_SERVER_PUBLIC_RATE": "1000000000"},
            args=("--workers", str(args.workers)),
        ).start()
        ours = [build_outbox(u, 1, push_dossiers, u) for u in range(1, args.counters + 1)]
        floors = [
            build_outbox(u, 1, push_dossiers, u)
            for u in range(args.counters + 1, 2 * args.counters + 1)
        ]
        tokens = {box.unit: enroll(server, url, box.unit, box.station) for box in ours}

        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        pg_before, me_before = tree_cpu(postmaster), own_cpu()
        floor = ingest_floor(dsn, floors)
        floor_cpu = (tree_cpu(postmaster) - pg_before, own_cpu() - me_before)
        print(f"ingest floor: {floor['events'] / floor['seconds']:.0f} events/s", flush=True)
        pg_before, server_before = tree_cpu(postmaster), tree_cpu(server.process.pid)
        pushed = ingest_http(server.url, ours, tokens)
        ours_cpu = (tree_cpu(postmaster) - pg_before, tree_cpu(server.process.pid) - server_before)
        rate = pushed["events"] / pushed["seconds"]
        print(f"ingest: {rate:.0f} events/s", flush=True)

        def per_event(cpu: float, events: int) -> str:
            return f"{cpu / events * 1000:.2f} ms"

        figures.add(
            f"push ingest: {args.counters} counters at once, {pushed['events']:,} events "
            f"in batches of {pushed['batch']:,.0f} on average",
            f"{rate:,.0f} events/s",
            f"{floor['events'] / floor['seconds']:,.0f} events/s",
            "≥ 2,000 events/s",
            rate >= 2000,
            f"floor: psycopg executemany of the same rows, same batch transactions; batch "
            f"answered in {ms(statistics.median(pushed['latencies']))} median, "
            f"{ms(percentile(pushed['latencies'], 95))} p95",
        )
        figures.add(
            "push ingest: CPU time per event",
            f"server {per_event(ours_cpu[1], pushed['events'])} + PostgreSQL "
            f"{per_event(ours_cpu[0], pushed['events'])}",
            f"psycopg client {per_event(floor_cpu[1], floor['events'])} + PostgreSQL "
            f"{per_event(floor_cpu[0], floor['events'])}",
            "",
            None,
            "CPU seconds of the uvicorn processes (ours) or of the bench's psycopg threads "
            "(floor), and of PostgreSQL's backends, divided by the events; "
            f"{os.cpu_count()} cores bound the rate at cores ÷ the sum",
        )

        # A counter of unit 1 that pushed none of them (a second station): a device's own
        # registrations are left out of its pages.
        token = enroll(server, url, 1, 2)
        pulled = pull_page(server.url, server.process.pid, token, dsn, 1, pages)
        t = pulled["times"]
        figures.add(
            f"pull page of {PAGE:,} changes (median; unit feed {pulled['feed']:,} changes)",
            ms(statistics.median(t["gzip"])),
            ms(statistics.median(t["sql"])),
            "< 50 ms",
            statistics.median(t["gzip"]) < 0.050,
            f"p95 {ms(percentile(t['gzip'], 95))} (SQL {ms(percentile(t['sql'], 95))}); "
            f"server CPU per page {ms(pulled['cpu']['gzip'])} "
            f"(uncompressed {ms(pulled['cpu']['identity'])}); "
            f"gzip {pulled['sizes']['gzip'] / 1024:,.0f} KiB; uncompressed "
            f"({pulled['sizes']['identity'] / 1024:,.0f} KiB) "
            f"{ms(statistics.median(t['identity']))} median",
        )

        with http_floor_process() as floor_url:
            times = lookups(server.url, server.process.pid, floor_url, dsn, count)
        figures.add(
            f"public status lookup /api/v1/track/{{code}} p95 ({len(times['api']):,} random "
            "codes, one keep-alive session)",
            ms(percentile(times["api"], 95)),
            ms(percentile(times["sql"], 95)),
            "p95 < 5 ms",
            percentile(times["api"], 95) < 0.005,
            f"median {ms(statistics.median(times['api']))}, server CPU per lookup (JSON or "
            f"page) {ms(times['cpu'][0])}; floor: the SQL lookup by code (psycopg), the four "
            "measures interleaved per code; an empty FastAPI endpoint: p95 "
            f"{ms(percentile(times['empty'], 95))}; the HTML page /track/{{code}}: p95 "
            f"{ms(percentile(times['page'], 95))}",
        )
        import psycopg

        with psycopg.connect(dsn) as conn:
            sizes = table_sizes(conn)
            db_size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            db_size = db_size.fetchone()[0]
        figures.add(
            "database at the end",
            f"{sizes['dossiers']:,} dossiers",
            "",
            "",
            None,
            f"{sizes['status_events']:,} status events, {sizes['received_items']:,} push "
            f"receipts, {sizes['changes']:,} changes, {db_size}; {args.units} units; {settings}; "
            f"uvicorn workers: {args.workers}",
        )
    finally:
        if server is not None:
            server.stop()
        cluster.stop()
    print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")
    figures.print_table()
    figures.write_json(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
