"""The desk's figures with a million dossiers, each next to its floor measured in the same run.

    .venv/bin/python bench/desk.py [--size 1000000] [--quick] [--json FILE]

The database comes from bench/generate.py (cached under bench/.data/) and is copied first: the
benchmark registers and prints into the copy. Process start and imports are excluded; every
figure is timed after a warm-up, ours and its floor interleaved so that a load change on the
machine hits both alike.

- register: `services.registration.register_dossier` (validate, number, appointment, save the
  dossier, its documents, its status event, the outbox and the chained audit rows; one
  BEGIN IMMEDIATE ... COMMIT with synchronous=FULL). Floor: raw sqlite3 inserting the same
  rows (dossier with its FTS trigger, documents, event, outbox, audit) in one transaction,
  same pragmas, same file.
- receipt: `services.printing.print_form(code, "01")` (load, reprint count, register line,
  audit row, two A4 pages). Floor: reportlab alone drawing the receipt's text lines on two
  pages with the same embedded font.
- name search: `services.search.search_dossiers` (the search screen, 200 rows, newest first)
  with names typed without diacritics. Floor: a bare FTS5 MATCH of the same terms returning
  the newest 200 row ids.
- code / ID number: the same service with a dossier code or a 12-digit ID number. Floor: the
  indexed SELECT of the matching rows.
- memory: resident set of the real window (offscreen) on the database, signed in, the receive
  screen drawn and the background warm-up done. Floor: a bare PySide6 window.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument, ms, percentile  # noqa: E402
from generate import CLERK_PASSWORD, DATA_DIR, People, database_folder  # noqa: E402

TODAY_08 = (2026, 11, 26, 8, 0)


def _clock():
    """Office time on the benchmark's day, 20 seconds later at each call."""
    from counter_app.domain.office_time import OFFICE_TZ

    start = datetime(*TODAY_08, tzinfo=OFFICE_TZ)
    ticks = iter(range(10**9))
    return lambda: start + timedelta(seconds=20 * next(ticks))


def _context(folder: Path):
    from counter_app.app import seed_first_run
    from counter_app.models.database import open_database
    from counter_app.services.context import Context

    # open_context without the daily backup (a copy of the whole file, once a day).
    ctx = Context(db=open_database(folder), data_dir=folder)
    seed_first_run(ctx)
    ctx.clock = _clock()
    return ctx


def _applications(rng: random.Random, count: int, procedures: list[str]) -> list[dict]:
    people = People(rng, count)
    out = []
    for person in people.rows:
        name, _folded, id_number, born, gender, address, phone, email = person
        out.append(
            {
                "procedure_code": rng.choice(procedures),
                "applicant": {
                    "full_name": name,
                    "id_number": id_number,
                    "date_of_birth": born,
                    "gender": gender,
                    "address": address,
                    "phone": phone,
                    "email": email,
                },
            }
        )
    return out


def _floor_connection(path: Path) -> sqlite3.Connection:
    """sqlite3 with the application's pragmas (models.database._on_connect)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA busy_timeout=30000")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _floor_rows(result: dict, sequence: int, clerk_id: int, procedure_id: int) -> tuple:
    """The rows a registration writes, as plain tuples, from what the service returned (a
    different code and uuids: station 9's numbers, which the service never takes)."""
    import hashlib
    import uuid

    code = result["code"].rsplit("-", 1)[0] + f"-{sequence:04d}"
    a = result["applicant"]
    now = datetime.now().astimezone().isoformat()
    dossier = (
        str(uuid.uuid4()), code, "2026-11-26", sequence, 9, procedure_id, "citizen",
        a["full_name"], a["full_name"].lower(), "cccd", a["id_number"], a["date_of_birth"],
        a["gender"], a["address"], a["phone"], a["email"], 1, "counter", "counter", 0,
        now, now, 2, clerk_id, now, now,
    )  # fmt: skip
    documents = [
        (d["name"], d["original"], d["certified_copy"], d["photocopy"], 1)
        for d in result["documents"]
    ]
    event = (str(uuid.uuid4()), None, 2, "receive", "counter", clerk_id, now, "", now)
    payload = json.dumps(result | {"event_uuid": event[0]})
    outbox = (str(uuid.uuid4()), "dossier.received", dossier[0], payload, now, 0)
    details = json.dumps({"uuid": dossier[0]})
    digest = hashlib.sha256(details.encode()).hexdigest()
    audit = (now, clerk_id, "dossier.receive", "dossier", code, details, digest, digest)
    return dossier, documents, event, outbox, audit


def _floor_register(db: sqlite3.Connection, rows: tuple) -> None:
    dossier, documents, event, outbox, audit = rows
    db.execute("BEGIN IMMEDIATE")
    cursor = db.execute(
        "INSERT INTO dossiers (uuid, code, receipt_day, sequence_number, station_number, "
        "procedure_id, applicant_kind, applicant_name, applicant_name_folded, applicant_id_type, "
        "applicant_id_number, applicant_date_of_birth, applicant_gender, applicant_address, "
        "applicant_phone, applicant_email, sets, channel, return_method, fee, received_at, "
        "appointment_at, status, receiving_clerk_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        dossier,
    )
    dossier_id = cursor.lastrowid
    db.executemany(
        "INSERT INTO dossier_documents (dossier_id, position, name, originals, "
        "certified_copies, photocopies, received) VALUES (?,?,?,?,?,?,?)",
        [(dossier_id, i + 1, *d) for i, d in enumerate(documents)],
    )
    db.execute(
        "INSERT INTO status_events (uuid, dossier_id, from_status, to_status, action, side, "
        "clerk_id, at, reason, appointment_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (event[0], dossier_id, *event[1:]),
    )
    db.execute(
        "INSERT INTO outbox (uuid, kind, dossier_uuid, payload, created_at, attempts) "
        "VALUES (?,?,?,?,?,?)",
        outbox,
    )
    db.execute(
        "INSERT INTO audit_log (at, clerk_id, action, entity, entity_id, details, prev_hash, "
        "row_hash) VALUES (?,?,?,?,?,?,?,?)",
        audit,
    )
    db.execute("COMMIT")


def bench_register(ctx, figures: Figures, runs: int, rng: random.Random) -> list[str]:
    from counter_app.services.registration import register_dossier

    db = _floor_connection(ctx.db.path)
    procedures = [r[0] for r in db.execute("SELECT code FROM procedures WHERE is_current")]
    clerk_id = db.execute("SELECT id FROM clerks WHERE username = 'ntlan'").fetchone()[0]
    applications = _applications(rng, runs + 3, procedures)
    codes = []
    for data in applications[:3]:  # warm-up: calendar, statement caches
        codes.append(register_dossier(ctx, data, clerk="ntlan")["code"])
    ours, floor = [], []
    for i, data in enumerate(applications[3:]):
        start = time.perf_counter()
        result = register_dossier(ctx, data, clerk="ntlan")
        ours.append(time.perf_counter() - start)
        codes.append(result["code"])
        procedure_id = db.execute(
            "SELECT procedure_id FROM dossiers WHERE code = ?", (result["code"],)
        ).fetchone()[0]
        rows = _floor_rows(result, 9001 + i, clerk_id, procedure_id)
        start = time.perf_counter()
        _floor_register(db, rows)
        floor.append(time.perf_counter() - start)
    db.close()
    ours_median, floor_median = statistics.median(ours), statistics.median(floor)
    figures.add(
        "register one dossier, median",
        f"{ms(ours_median)} (p95 {ms(percentile(ours, 95))})",
        f"{ms(floor_median)} (p95 {ms(percentile(floor, 95))})",
        "≤ 5× floor",
        ours_median <= 5 * floor_median,
        f"{ours_median / floor_median:.1f}× floor; {len(ours)} runs",
    )
    return codes


def _receipt_floor(lines: list[str]) -> bytes:
    """reportlab alone: the receipt's text on two A4 pages with the same embedded fonts."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from counter_app.printing import fonts

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=fonts.REGULAR)
    for _copy in range(2):
        y = 800
        for i, line in enumerate(lines):
            canvas.setFont(fonts.BOLD if i < 6 else fonts.REGULAR, 12 if i < 6 else 11)
            canvas.drawString(85, y, line[:110])
            y -= 16
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def bench_receipt(ctx, figures: Figures, codes: list[str], runs: int) -> None:
    from counter_app.printing import fonts
    from counter_app.services.printing import print_form
    from counter_app.services.search import show_dossier

    fonts.register_fonts()
    for code in codes[:2]:
        print_form(ctx, code, "01", slip=False, clerk="ntlan")  # warm-up (first and reprint)
    data = show_dossier(ctx, codes[-1])
    lines = [
        "UBND THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {data['code']}", "Liên 1: Lưu",
        f"Bộ phận tiếp nhận và trả kết quả tiếp nhận hồ sơ của: {data['applicant']['full_name']}",
        f"Địa chỉ: {data['applicant']['address']}",
        f"Số điện thoại: {data['applicant']['phone']}",
        f"Nội dung yêu cầu giải quyết: {data['procedure']['name']}",
        *(f"{i}. {d['name']}" for i, d in enumerate(data["documents"], 1)),
        "2. Số lượng hồ sơ: 01 (bộ)", "3. Thời gian giải quyết hồ sơ theo quy định là: 3 ngày",
        "4. Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 26 tháng 11 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 01 tháng 12 năm 2026",
        "6. Đăng ký nhận kết quả tại: Bộ phận Một cửa", "Vào Sổ theo dõi hồ sơ, Quyển số: 2026-Q0",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)",
    ]  # fmt: skip
    _receipt_floor(lines)
    ours, floor, size = [], [], 0
    for i in range(runs):
        code = codes[2 + i % (len(codes) - 2)]
        start = time.perf_counter()
        printed = print_form(ctx, code, "01", slip=False, clerk="ntlan")
        ours.append(time.perf_counter() - start)
        size = len(printed.pdf)
        start = time.perf_counter()
        _receipt_floor(lines)
        floor.append(time.perf_counter() - start)
    median = statistics.median(ours)
    figures.add(
        "receipt PDF (Form 01, 2 A4 pages), median",
        f"{ms(median)} (p95 {ms(percentile(ours, 95))})",
        f"{ms(statistics.median(floor))} (p95 {ms(percentile(floor, 95))})",
        "< 60 ms",
        median < 0.060,
        f"{size // 1024} KiB; floor: reportlab drawing its text lines; {runs} runs",
    )


def _name_queries(db: sqlite3.Connection, rng: random.Random, count: int) -> list[str]:
    """Names as a clerk types them without diacritics: full name, surname + given name, given
    name alone, middle + given, and a name cut short while typing ("nguyen van an")."""
    top = db.execute("SELECT max(id) FROM dossiers").fetchone()[0]
    queries = []
    while len(queries) < count:
        row = db.execute(
            "SELECT applicant_name_folded FROM dossiers WHERE id = ?", (rng.randrange(1, top),)
        ).fetchone()
        if row is None:
            continue
        words = row[0].split()
        kind = rng.random()
        if kind < 0.30:
            query = " ".join(words)
        elif kind < 0.55:
            query = f"{words[0]} {words[-1]}"
        elif kind < 0.70:
            query = words[-1]
        elif kind < 0.85:
            query = " ".join(words[-2:])
        else:
            cut = max(1, len(words[-1]) - rng.randint(1, 2))
            query = " ".join([*words[:-1], words[-1][:cut]])
        queries.append(query)
    return queries


def bench_search(ctx, figures: Figures, runs: int, rng: random.Random) -> None:
    from counter_app.services.search import name_match_expression, search_dossiers

    db = _floor_connection(ctx.db.path)
    queries = _name_queries(db, rng, runs)
    limit = 200
    for q in queries[:10]:  # warm-up
        search_dossiers(ctx, q, limit=limit)
    ours, floor, hits = [], [], []
    for q in queries:
        start = time.perf_counter()
        found = search_dossiers(ctx, q, limit=limit)
        ours.append(time.perf_counter() - start)
        hits.append(len(found))
        expression = name_match_expression(q)
        start = time.perf_counter()
        db.execute(
            "SELECT rowid FROM dossier_search WHERE dossier_search MATCH ? "
            "ORDER BY rowid DESC LIMIT ?",
            (expression, limit),
        ).fetchall()
        floor.append(time.perf_counter() - start)
    p95, floor_p95 = percentile(ours, 95), percentile(floor, 95)
    figures.add(
        "name typed without diacritics, p95",
        f"{ms(p95)} (median {ms(statistics.median(ours))})",
        f"{ms(floor_p95)} (median {ms(statistics.median(floor))})",
        "≤ 5× floor",
        p95 <= 5 * floor_p95,
        f"{p95 / floor_p95:.1f}× floor; {len(queries)} queries, median "
        f"{statistics.median(hits):.0f} rows shown (≤ {limit})",
    )

    top = db.execute("SELECT max(id) FROM dossiers").fetchone()[0]
    sample = [
        db.execute(
            "SELECT code, applicant_id_number FROM dossiers WHERE id = ?", (rng.randrange(1, top),)
        ).fetchone()
        for _ in range(runs)
    ]
    for label, column, index in (("dossier code", "code", 0), ("ID number", "applicant_id_number",
                                                                 1)):  # fmt: skip
        values = [row[index] for row in sample if row]
        for v in values[:10]:
            search_dossiers(ctx, v, limit=limit)
        ours, floor = [], []
        for v in values:
            start = time.perf_counter()
            search_dossiers(ctx, v, limit=limit)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            db.execute(f"SELECT * FROM dossiers WHERE {column} = ?", (v,)).fetchall()
            floor.append(time.perf_counter() - start)
        p95 = percentile(ours, 95)
        figures.add(
            f"search by {label}, p95",
            f"{ms(p95)} (median {ms(statistics.median(ours))})",
            f"{ms(percentile(floor, 95))} (median {ms(statistics.median(floor))})",
            "< 1 ms",
            p95 < 0.001,
            f"{len(values)} lookups",
        )
    db.close()


RSS_WINDOW = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from counter_app.app import seed_first_run
    from counter_app.models.database import open_database
    from counter_app.services.clerks import sign_in
    from counter_app.services.context import Context
    from counter_app.ui.main import MainWindow

    folder = Path(sys.argv[1])
    ctx = Context(db=open_database(folder), data_dir=folder)
    seed_first_run(ctx)
    window = MainWindow(ctx)
    window.show()
    app.processEvents()
    window.on_signed_in(sign_in(ctx, "ntlan", sys.argv[2]))
    deadline = time.monotonic() + 4  # the fonts' warm-up starts after 1 s
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if window.warm_up_thread is not None:
        window.warm_up_thread.join(30)
    window.go("today")  # the day's lists, read from the database
    window.go("search")
    for _ in range(20):
        app.processEvents()
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
    )
    print(json.dumps({k: status[k].strip() for k in ("VmRSS", "VmHWM")}), flush=True)
    os._exit(0)  # measured: no teardown (PySide6 may crash while finalizing)
    """
)
RSS_BARE = textwrap.dedent(
    """
    import json, os
    from pathlib import Path

    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Quầy Một Cửa"))
    window.resize(1280, 720)
    window.show()
    for _ in range(20):
        app.processEvents()
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
    )
    print(json.dumps({k: status[k].strip() for k in ("VmRSS", "VmHWM")}), flush=True)
    os._exit(0)
    """
)


def _kib(text: str) -> float:
    return int(text.split()[0]) / 1024


def bench_memory(folder: Path, figures: Figures) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    runs = {}
    for name, script, args in (("ours", RSS_WINDOW, [str(folder), CLERK_PASSWORD]),
                               ("floor", RSS_BARE, [])):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
            timeout=300,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"{name} window failed:\n{result.stderr}")
        runs[name] = json.loads(result.stdout.strip().splitlines()[-1])
    rss = _kib(runs["ours"]["VmRSS"])
    figures.add(
        "resident memory of the open window",
        f"{rss:.0f} MB (peak {_kib(runs['ours']['VmHWM']):.0f} MB)",
        f"{_kib(runs['floor']['VmRSS']):.0f} MB",
        "< 200 MB",
        rss < 200,
        "signed in, receive/today/search screens shown, printing warmed up",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, help="dossiers in the database (1,000,000; 20,000 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rough look)")
    parser.add_argument("--seed", type=int, default=7)
    add_json_argument(parser)
    args = parser.parse_args()
    runs = {"register": 60, "receipt": 15, "search": 100} if args.quick else {
        "register": 300, "receipt": 60, "search": 500}  # fmt: skip
    size = args.size or (20_000 if args.quick else 1_000_000)
    rng = random.Random(args.seed)
    source = database_folder(size)
    work = DATA_DIR / f"work-desk-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    shutil.copyfile(source / "counter.sqlite3", work / "counter.sqlite3")
    print(f"copied the database ({time.perf_counter() - started:.0f} s)", flush=True)
    figures = Figures(f"Desk: {size:,} dossiers in the local database")
    try:
        ctx = _context(work)
        codes = bench_register(ctx, figures, runs["register"], rng)
        print("register done", flush=True)
        bench_receipt(ctx, figures, codes, runs["receipt"])
        print("receipt done", flush=True)
        bench_search(ctx, figures, runs["search"], rng)
        print("search done", flush=True)
        ctx.db.close()
        bench_memory(work, figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures.print_table()
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    figures.write_json(args.json)


if __name__ == "__main__":
    main()
