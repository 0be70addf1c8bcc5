"""Start-up to an interactive window, next to a bare PySide6 window opened by the same Python.

    .venv/bin/python bench/startup.py [--runs 15] [--quick] [--no-bytecode-cache] [--json FILE]

Both are launched as fresh processes, alternately, offscreen (QT_QPA_PLATFORM=offscreen):

- floor: `python -c` creating a QApplication and a QMainWindow (1280x720, one label), shown;
- ours: `python -m counter_app --data-dir DIR` (the real entry point, `counter-app` with no
  command opens the window) on a data folder with an office set up and its administrator's
  password chosen: the first screen is the sign-in form, focus in its username field.

Both run with compiled modules, as installed (pip and PyInstaller compile them): this shell's
PYTHONDONTWRITEBYTECODE is dropped for them and the bytecode goes to a temporary
PYTHONPYCACHEPREFIX, written by a first launch of each that is not counted.
`--no-bytecode-cache` keeps PYTHONDONTWRITEBYTECODE and no cache: our modules are compiled from
source at every launch (the floor compiles nothing of ours).

Each process prints the time of its first drawn frame (for ours, the probe of
`counter_app.ui.startup_probe`, switched on by COUNTER_APP_STARTUP_PROBE=1) and exits; the
figure is that moment minus the moment before the process was spawned. Ours builds its menus and
status bar right after that frame: the note gives how much later they are there ("complete").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figures, add_json_argument, ms, percentile  # noqa: E402

BARE = textwrap.dedent(
    """
    import os, sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("Quầy Một Cửa")
    window.setCentralWidget(QLabel("Quầy Một Cửa"))
    window.resize(1280, 720)


    def report():
        print(f"startup-probe painted {time.time():.6f}", flush=True)
        os._exit(0)


    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, watched, event):
            if not self.seen and event.type() == QEvent.Type.Paint:
                self.seen = True
                QTimer.singleShot(0, report)
            return False


    probe = FirstPaint()
    app.installEventFilter(probe)
    window.show()
    sys.exit(app.exec())
    """
)


def _office(folder: Path) -> None:
    """An office set up the way a clerk's PC is after the first day: schema, catalog, admin."""
    sys.path.insert(0, str(ROOT))
    from counter_app.app import open_context
    from counter_app.services.office import setup_office

    ctx = open_context(folder)
    setup_office(
        ctx,
        unit_code="000.00.12.H49",
        unit_name="UBND xã Đan Phượng",
        place="Hà Nội",
        admin_full_name="Đỗ Mạnh Cường",
        admin_password="matkhau-quantri",
        admin_password_confirm="matkhau-quantri",
    )
    ctx.db.close()


def _launch(command: list[str], env: dict) -> tuple[float, str, float | None]:
    """Seconds to the first frame, what has the focus, seconds from it to the complete window."""
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    painted, focus, complete = None, "", None
    for line in result.stdout.splitlines():
        parts = line.split()
        if line.startswith("startup-probe painted"):
            painted, focus = float(parts[2]), " ".join(parts[3:])
        elif line.startswith("startup-probe complete"):
            complete = float(parts[2])
    if painted is None:
        raise SystemExit(f"no first paint from {command}:\n{result.stdout}\n{result.stderr}")
    return painted - started, focus, None if complete is None else complete - painted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 runs each")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile our modules at every launch (PYTHONDONTWRITEBYTECODE=1, no cache)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "COUNTER_APP_STARTUP_PROBE": "1",
        "PYTHONPATH": str(ROOT),
    }
    figures = Figures("Start-up to an interactive window")
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        if args.no_bytecode_cache:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        folder = Path(tmp) / "office"
        _office(folder)
        ours_command = [sys.executable, "-m", "counter_app", "--data-dir", str(folder)]
        floor_command = [sys.executable, "-c", BARE]
        _launch(ours_command, env)  # the first start of the day takes the daily backup
        _launch(floor_command, env)  # (and the bytecode of both is written)
        ours, floor, focus, later = [], [], "", []
        for _ in range(runs):
            seconds, focus, complete = _launch(ours_command, env)
            ours.append(seconds)
            if complete is not None:
                later.append(complete)
            floor.append(_launch(floor_command, env)[0])
    median, floor_median = statistics.median(ours), statistics.median(floor)
    figures.add(
        "start-up to the sign-in form drawn, median",
        f"{ms(median)} (p95 {ms(percentile(ours, 95))})",
        f"{ms(floor_median)} (p95 {ms(percentile(floor, 95))})",
        "≤ 1.3× floor",
        median <= 1.3 * floor_median,
        f"{median / floor_median:.2f}× floor; {runs} runs each; {focus}"
        + (f"; menus and status bar {ms(statistics.median(later))} later" if later else "")
        + ("; no bytecode cache" if args.no_bytecode_cache else ""),
    )
    figures.print_table()
    print(f"\nload average at the end: {Path('/proc/loadavg').read_text().split()[0]}")
    figures.write_json(args.json)


if __name__ == "__main__":
    main()
