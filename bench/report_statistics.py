"""Statistics for a month (services.reports.period_statistics) on a big counter database.

    .venv/bin/python bench/report_statistics.py [--size 100000] [--runs 5] [--json FILE]

The database comes from bench/generate.py (three years of a busy office, cached under
bench/.data/) and is copied first. "Today" is Thursday 26 November 2026, 08:00.

- current month: 1-25 November 2026, a period not over yet (open and overdue as of now).
- past month: October 2026 (open and overdue as they were at the end of October: also reads
  the status events after the period).
- export: the same past month written as the statistics workbook (openpyxl).
- floor: one pass over the period's status events and receipt days with raw sqlite3
  (`SELECT count(*)` of the rows the statistics must read at the least), same file.

The statistics find the period's status events through the index on status_events (to_status,
at, dossier_id) (counter migration 0006). With `--without-event-index` it is dropped from the
copy first, to show what the statistics did before it (a scan of `status_events`).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument, ms  # noqa: E402
from generate import database_folder  # noqa: E402

TODAY_08 = (2026, 11, 26, 8, 0)
PERIODS = {
    "current month (1-25/11/2026)": (date(2026, 11, 1), date(2026, 11, 25)),
    "past month (10/2026)": (date(2026, 10, 1), date(2026, 10, 31)),
}
TARGET_S = 1.0


def _context(folder: Path):
    from counter_app.app import seed_first_run
    from counter_app.domain.office_time import OFFICE_TZ
    from counter_app.models.database import open_database
    from counter_app.services.context import Context

    ctx = Context(db=open_database(folder), data_dir=folder)
    seed_first_run(ctx)
    ctx.clock = lambda: datetime(*TODAY_08, tzinfo=OFFICE_TZ)
    return ctx


def _floor(path: Path, date_from: date, date_to: date) -> float:
    """Raw sqlite3: count the period's dossiers by receipt day and its events by time."""
    from counter_app.services.reports import _office_start, _utc_text

    start = _utc_text(_office_start(date_from))
    end = _utc_text(_office_start(date_to + timedelta(days=1)))
    db = sqlite3.connect(path)
    try:
        started = time.perf_counter()
        db.execute(
            "SELECT count(*) FROM dossiers WHERE receipt_day BETWEEN ? AND ?",
            (date_from.isoformat(), date_to.isoformat()),
        ).fetchone()
        db.execute(
            "SELECT count(*) FROM status_events WHERE to_status IN (7, 8, 9, 10) "
            "AND at >= ? AND at < ?",
            (start, end),
        ).fetchone()
        return time.perf_counter() - started
    finally:
        db.close()


def _timed(fn, runs: int) -> tuple[float, object]:
    result = fn()  # warm-up (page cache, calendar, imports)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--without-event-index", action="store_true")
    add_json_argument(parser)
    args = parser.parse_args()

    source = database_folder(args.size)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        shutil.copy(source / "counter.sqlite3", folder / "counter.sqlite3")
        path = folder / "counter.sqlite3"
        if args.without_event_index:
            db = sqlite3.connect(path)
            db.execute("DROP INDEX ix_status_events_to_status_at")
            db.commit()
            db.close()
        from counter_app.services.reports import export_statistics, period_statistics

        ctx = _context(folder)
        events = sqlite3.connect(path).execute("SELECT count(*) FROM status_events").fetchone()[0]
        index = (
            ", without the index on status_events(to_status, at)"
            if args.without_event_index
            else ""
        )
        figures = Figures(f"Statistics: {args.size:,} dossiers, {events:,} status events{index}")
        for label, (date_from, date_to) in PERIODS.items():
            took, stats = _timed(
                lambda f=date_from, t=date_to: period_statistics(ctx, f, t), args.runs
            )
            floor = statistics.median(_floor(path, date_from, date_to) for _ in range(args.runs))
            t = stats.totals
            figures.add(
                f"statistics, {label}",
                ms(took),
                ms(floor),
                f"< {TARGET_S:.0f} s",
                took < TARGET_S,
                f"received {t.received:,}, resolved {t.resolved:,} (late {t.late:,}), "
                f"open {t.open:,} (overdue {t.overdue:,}), late list {len(stats.late):,}",
            )
        date_from, date_to = PERIODS["past month (10/2026)"]
        took, exported = _timed(
            lambda: export_statistics(ctx, date_from, date_to, folder / "thong-ke.xlsx"),
            max(1, args.runs // 2),
        )
        figures.add("statistics workbook, past month", ms(took), "", "", None, exported.path.name)
        ctx.db.close()
    figures.print_table()
    figures.write_json(args.json)


if __name__ == "__main__":
    main()
