"""One table shape for every benchmark: each figure printed next to its floor and its target.

A benchmark script builds a `Figures`, calls `add` per measure and `print_table` at the end;
`--json FILE` (see `add_json_argument`) also writes the rows for `bench/run_all.py`.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Figure:
    measure: str
    ours: str
    floor: str
    target: str
    ok: bool | None  # None: informational, no target
    note: str = ""


@dataclass
class Figures:
    title: str
    rows: list[Figure] = field(default_factory=list)

    def add(
        self,
        measure: str,
        ours: str,
        floor: str = "",
        target: str = "",
        ok: bool | None = None,
        note: str = "",
    ) -> None:
        self.rows.append(Figure(measure, ours, floor, target, ok, note))

    def print_table(self) -> None:
        print(f"\n## {self.title}\n")
        print(f"machine: {machine()}\n")
        print("| measure | ours | floor | target | verdict | note |")
        print("| --- | --- | --- | --- | --- | --- |")
        for r in self.rows:
            verdict = {True: "met", False: "MISSED", None: ""}[r.ok]
            print(f"| {r.measure} | {r.ours} | {r.floor} | {r.target} | {verdict} | {r.note} |")

    def write_json(self, path: str | os.PathLike | None) -> None:
        if path:
            Path(path).write_text(
                json.dumps(
                    {
                        "title": self.title,
                        "machine": machine(),
                        "rows": [asdict(r) for r in self.rows],
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
                encoding="utf-8",
            )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        load = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        load = "?"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {load} at start"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def add_json_argument(parser) -> None:
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
