"""SIGKILL the counter at random moments while it registers (and syncs); check after each kill.

Used by tests/reliability/test_crash_kills.py (a few hundred kills) and bench/soak_crash.py
(thousands). After every kill:
- `PRAGMA integrity_check` is "ok";
- every dossier code the killed process reported (it reports after the commit returned) is in
  the database exactly once, and no code is repeated;
- no dossier is half-written: each has exactly one receipt event, one `dossier.received`
  outbox row and one `dossier.receive` audit row, and the day's numbers have no gap.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

WORKER = Path(__file__).with_name("crash_worker.py")
ROOT = Path(__file__).resolve().parents[2]


class Zygote:
    """The fork server (crash_worker.py) in a subprocess."""

    def __init__(self, warm_data_dir: Path | None = None) -> None:
        env = dict(os.environ)
        if warm_data_dir is not None:
            env["CRASH_WARM_DATA_DIR"] = str(warm_data_dir)
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def _ask(self, command: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the crash worker exited")
        return json.loads(line)

    def spawn(self, **command) -> int:
        return self._ask({"op": "spawn", **command})["pid"]

    def wait(self, pid: int) -> dict:
        return self._ask({"op": "wait", "pid": pid})

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin
            self.process.stdin.close()
            self.process.wait(10)


@dataclass
class Figures:
    kills: int = 0
    kills_during_sync: int = 0  # killed between the start and the end of a sync round
    rounds_finished_alone: int = 0  # a child that reached its bound before the kill
    reported: int = 0  # registrations that reported success
    committed_unreported: int = 0  # committed, killed before it could print the code
    lost: int = 0  # reported but missing (must stay 0)
    duplicated: int = 0  # a code twice, or a dossier with two receipt rows (must stay 0)
    half_written: int = 0  # a dossier without its event/outbox/audit rows (must stay 0)
    integrity_failures: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["problems"] = self.problems[:10]
        return data


def check_database(path: Path, reported: Counter) -> tuple[list[str], int]:
    """Problems found in the database (empty: fine) and how many dossiers it holds."""
    problems: list[str] = []
    connection = sqlite3.connect(path, timeout=30)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:3]}")
        codes = Counter(r[0] for r in connection.execute("SELECT code FROM dossiers"))
        for code, n in codes.items():
            if n != 1:
                problems.append(f"duplicated code {code} x{n}")
        for code, n in reported.items():
            if n != 1:
                problems.append(f"code {code} reported {n} times")
            if codes.get(code, 0) != 1:
                problems.append(f"lost: {code} reported but stored {codes.get(code, 0)} times")
        # Counted once per table and joined (correlated subqueries would make each check
        # quadratic in the number of dossiers: the soak holds thousands).
        rows = connection.execute(
            """WITH e AS (SELECT dossier_id, count(*) AS n FROM status_events
                          WHERE action = 'receive' GROUP BY dossier_id),
                    o AS (SELECT dossier_uuid, count(*) AS n FROM outbox
                          WHERE kind = 'dossier.received' GROUP BY dossier_uuid),
                    a AS (SELECT entity_id, count(*) AS n FROM audit_log
                          WHERE action = 'dossier.receive' GROUP BY entity_id)
               SELECT d.code, ifnull(e.n, 0), ifnull(o.n, 0), ifnull(a.n, 0)
               FROM dossiers d LEFT JOIN e ON e.dossier_id = d.id
               LEFT JOIN o ON o.dossier_uuid = d.uuid LEFT JOIN a ON a.entity_id = d.code"""
        ).fetchall()
        for code, events, outbox, audit in rows:
            if (events, outbox, audit) != (1, 1, 1):
                problems.append(
                    f"half-written {code}: events {events}, outbox {outbox}, audit {audit}"
                )
        for day, low, high, n in connection.execute(
            "SELECT receipt_day, min(sequence_number), max(sequence_number), count(*) "
            "FROM dossiers GROUP BY receipt_day, station_number"
        ):
            if high - low + 1 != n:
                problems.append(f"gap in the numbers of {day}: {low}..{high} for {n} dossiers")
        return problems, len(codes)
    finally:
        connection.close()


def read_report(report: Path) -> tuple[list[str], bool]:
    """(codes reported, killed in the middle of a sync round)."""
    if not report.exists():
        return [], False
    lines = [line for line in report.read_text().splitlines() if line]
    in_sync = bool(lines) and lines[-1] == "#sync"
    return [line for line in lines if not line.startswith("#")], in_sync


def run_kills(
    zygote: Zygote,
    data_dir: Path,
    work_dir: Path,
    *,
    kills: int,
    mode: str = "register",
    seed: int = 0,
    max_delay: float = 0.25,
    per_day: int = 400,
    max_items: int = 200,
    first_day: date = date(2026, 12, 1),
    progress=None,
) -> tuple[Figures, Counter]:
    """`kills` rounds: spawn a counter, let it work for a random moment, SIGKILL it, check.

    A child does at most `max_items` things: enough that it is nearly always killed first
    (a registration takes a few milliseconds), few enough that a day stays under 999 numbers.
    """
    rng = random.Random(seed)
    figures = Figures()
    reported: Counter = Counter()
    database = data_dir / "counter.sqlite3"
    stored = check_database(database, reported)[1]
    for round_ in range(kills):
        report = work_dir / f"report-{round_}.txt"
        report.unlink(missing_ok=True)  # the child appends: start from an empty report
        errors = work_dir / "children.err"
        day = first_day + timedelta(days=stored // per_day)
        pid = zygote.spawn(
            data_dir=str(data_dir),
            report=str(report),
            stderr=str(errors),
            mode=mode,
            seed=rng.randrange(2**32),
            day=day.isoformat(),
            max_items=max_items,
        )
        time.sleep(rng.uniform(0, max_delay))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        status = zygote.wait(pid)
        if status["signal"] == signal.SIGKILL:
            figures.kills += 1
        elif status["exit"] == 0:
            figures.rounds_finished_alone += 1
        else:
            raise AssertionError(
                f"round {round_}: the counter failed by itself ({status}):\n"
                + (errors.read_text()[-3000:] if errors.exists() else "")
            )
        codes, in_sync = read_report(report)
        if in_sync and status["signal"] == signal.SIGKILL:
            figures.kills_during_sync += 1
        reported.update(codes)
        figures.reported += len(codes)
        problems, total = check_database(database, reported)
        if problems:
            figures.problems += [f"round {round_} (seed {seed}): {p}" for p in problems]
            figures.lost += sum(p.startswith("lost") for p in problems)
            figures.duplicated += sum("duplicated" in p or "reported" in p for p in problems)
            figures.half_written += sum(p.startswith("half-written") for p in problems)
            figures.integrity_failures += sum(p.startswith("integrity") for p in problems)
        stored = total
        if progress and round_ % 100 == 99:
            progress(round_ + 1, figures)
    figures.committed_unreported = stored - len(reported)
    return figures, reported
