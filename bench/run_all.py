"""Run every benchmark of issue 8 in turn and print one summary table at the end.

    ./scripts/bench            # the full run (1,000,000 dossiers, 10,000 over the shaped link)
    ./scripts/bench --quick    # small sizes, a few minutes: a smoke run, not the recorded figures

Each script prints its own table as it goes (figure, floor, target, verdict); this runner adds
their rows together. The figures recorded in docs/benchmarks.md come from a full run on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["startup.py", "desk.py", "server.py", "sync_link.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", nargs="*", choices=SCRIPTS, help="run only these scripts")
    args = parser.parse_args()
    failed: list[str] = []
    tables = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for script in args.only or SCRIPTS:
            out = Path(tmp) / f"{script}.json"
            command = [sys.executable, str(HERE / script), "--json", str(out)]
            if args.quick:
                command.append("--quick")
            print(f"\n$ {' '.join(command[1:])}", flush=True)
            started = time.monotonic()
            code = subprocess.call(command)
            print(f"({script}: {time.monotonic() - started:.0f} s, exit code {code})", flush=True)
            if code != 0 or not out.exists():
                failed.append(script)
                continue
            tables.append(json.loads(out.read_text(encoding="utf-8")))
    print("\n# Summary\n")
    if tables:
        print(f"machine: {tables[0]['machine']}\n")
    print("| part | measure | ours | floor | target | verdict |")
    print("| --- | --- | --- | --- | --- | --- |")
    missed = 0
    for table in tables:
        for row in table["rows"]:
            verdict = {True: "met", False: "MISSED", None: ""}[row["ok"]]
            missed += row["ok"] is False
            print(
                f"| {table['title']} | {row['measure']} | {row['ours']} | {row['floor']} "
                f"| {row['target']} | {verdict} |"
            )
    if failed:
        print(f"\nFailed to run: {', '.join(failed)}")
    print(f"\n{missed} target(s) missed.")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
