"""A fork server for the crash harness: imports the application once, then forks a counter
process per request. Each child registers dossiers (and, in "sync" mode, syncs against the real
server) until it is SIGKILLed by the harness or reaches its bound, reporting each dossier code
on its report file *after* `register_dossier` returned (the commit is done).

Protocol on stdin/stdout, one JSON object a line:
  {"op": "spawn", "data_dir", "report", "stderr", "mode", "seed", "day", "max_items"} -> {"pid"}
  {"op": "wait", "pid"} -> {"signal": N or null, "exit": N or null}
Forking from an already-imported process makes each kill round cost milliseconds instead of
the ~0.5 s an interpreter start would take; each child is still its own OS process with its own
SQLite connections, exactly what a power cut or a task-manager kill hits.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import traceback
from datetime import date, datetime, time
from pathlib import Path

import holidays
import requests  # noqa: F401  (warm import for the children)

from counter_app.app import open_context
from counter_app.domain.errors import CounterError
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.services.registration import register_dossier
from counter_app.sync import client as sync_client
from counter_app.sync import engine

# Building a year of holidays costs ~35 ms in each new process; the children share the
# zygote's (the same statutory data, computed once).
_vietnam = holidays.Vietnam
_built: dict = {}


def _cached_vietnam(*args, **kwargs):
    key = repr((args, sorted(kwargs.items())))
    if key not in _built:
        _built[key] = _vietnam(*args, **kwargs)
    return _built[key]


holidays.Vietnam = _cached_vietnam

# The harness's server is on loopback: keep the retry shape, with millisecond waits.
sync_client.BACKOFF_FACTOR = 0.01
engine.STEP_BACKOFF = 0.01

FIRST_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Đỗ Minh Đức"]


def registration(rng: random.Random, n: int) -> dict:
    return {
        "procedure_code": rng.choice(["T.WD3", "T.CAL15", "T.WH4"]),
        "applicant": {
            "kind": "citizen",
            "full_name": rng.choice(FIRST_NAMES),
            "id_number": f"0010900{rng.randrange(10**5):05d}",
            "date_of_birth": "1990-05-17",
            "gender": "Nam",
            "address": f"Thôn Đông {n}, xã Tân Lập, Hà Nội",
            "phone": f"09{rng.randrange(10**8):08d}",
        },
    }


def child(command: dict) -> None:
    rng = random.Random(command["seed"])
    report = os.open(command["report"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    day = date.fromisoformat(command["day"])
    ctx = open_context(Path(command["data_dir"]))
    ctx.clock = lambda: datetime.combine(day, time(9, 0), OFFICE_TZ)
    for n in range(command["max_items"]):
        if command["mode"] == "sync" and rng.random() < 0.35:
            os.write(report, b"#sync\n")
            # Unreachable or busy: the rows wait for the next round.
            with contextlib.suppress(CounterError):
                engine.sync_once(ctx)
            os.write(report, b"#synced\n")
        dossier = register_dossier(ctx, registration(rng, n))
        # Reported only now: the transaction has committed.
        os.write(report, f"{dossier['code']}\n".encode())
    ctx.db.close()


def warm_up() -> None:
    """Configure the mappers, compile the statements and build the years once, here."""
    import shutil
    import tempfile

    source = os.environ.get("CRASH_WARM_DATA_DIR")
    if not source:
        return
    folder = Path(tempfile.mkdtemp(prefix="crash-warm-"))
    try:
        shutil.copytree(source, folder / "station")
        ctx = open_context(folder / "station")
        for year in (2026, 2027):
            holidays.Vietnam(years=year, language="vi")
        ctx.clock = lambda: datetime(2026, 12, 1, 9, 0, tzinfo=OFFICE_TZ)
        register_dossier(ctx, registration(random.Random(0), 0))
        ctx.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    warm_up()
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "spawn":
            pid = os.fork()
            if pid == 0:
                status = 0
                try:
                    err = os.open(command["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
                    os.dup2(err, 2)
                    child(command)
                except BaseException:
                    traceback.print_exc()
                    status = 1
                finally:
                    os._exit(status)
            answer = {"pid": pid}
        elif command["op"] == "wait":
            _, status = os.waitpid(command["pid"], 0)
            answer = {
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            }
        else:
            answer = {"error": f"unknown op {command['op']}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
