"""A start-up probe for bench/startup.py: with COUNTER_APP_STARTUP_PROBE=1 in the environment,
the process prints "startup-probe painted <seconds since the epoch>" once the window's first
frame is drawn (every paint event of that first round delivered); when the window builds its
menus and status bar after that frame (MainWindow.complete), "startup-probe complete <seconds>"
once they are built; then it exits at once.

Costs nothing without the variable: one environment look-up.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "COUNTER_APP_STARTUP_PROBE"


def install(window) -> None:
    """Watch `window` (a shown top-level widget) for its first paint."""
    if not os.environ.get(ENV):
        return
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, watched, event) -> bool:
            if (
                not self.seen
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.window() is window
            ):
                self.seen = True
                QTimer.singleShot(0, report)  # after the rest of this frame is painted
            return False

    def report() -> None:
        focus = QApplication.focusWidget()
        name = type(focus).__name__ if focus is not None else "none"
        print(f"startup-probe painted {time.time():.6f} focus={name}", flush=True)
        if getattr(window, "completed", True):
            exit_now()
        else:
            window.when_complete(report_complete)

    def report_complete() -> None:
        print(f"startup-probe complete {time.time():.6f}", flush=True)
        exit_now()

    def exit_now() -> None:
        sys.stdout.flush()
        os._exit(0)

    probe = FirstPaint(window)
    QApplication.instance().installEventFilter(probe)
