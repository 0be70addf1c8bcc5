"""Sync in the window: the background SyncRunner, "Đồng bộ ngay", and the check at closing.

The sync client (requests, pydantic) is never imported on the GUI thread before the first
screen is drawn: the window calls `start()` a moment after it shows, and the runner's module is
imported on a starter thread. Reports and errors come back as Qt signals (queued to the GUI
thread); the status bar reads its figures from the database (services.worklists).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from counter_app.services.context import Context

log = logging.getLogger("counter_app.ui.sync")

RUNNER_INTERVAL = 60  # seconds between two rounds while all goes well
BUSY_WAIT = 20  # "Đồng bộ ngay" waits this long for a round already running
STOP_TIMEOUT = 10


class SyncController(QObject):
    reported = Signal(object, bool)  # SyncReport, manual (asked for with "Đồng bộ ngay")
    failed = Signal(str, bool)  # the reason in Vietnamese, manual

    def __init__(self, ctx: Context, jobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self.runner = None  # counter_app.sync.runner.SyncRunner, once started
        self.manual_job: int | None = None
        self._starter: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = False

    # -- the background runner -----------------------------------------------------------

    def start(self) -> bool:
        """Start the runner when the station is enrolled (server address and device token)."""
        from counter_app.services.worklists import sync_enrolled

        if self._stopping or self.runner is not None or self._starter is not None:
            return False
        try:
            if not sync_enrolled(self.ctx):
                return False
        except Exception:  # the database is busy or broken: the status bar says so elsewhere
            log.exception("cannot read the sync settings")
            return False
        self._starter = threading.Thread(
            target=self._start_runner, name="counter-sync-start", daemon=True
        )
        self._starter.start()
        return True

    def _start_runner(self) -> None:
        from counter_app.ui.common import error_message

        try:
            from counter_app.sync.runner import SyncRunner
        except Exception as error:  # a broken installation: say it, do not crash
            self.failed.emit(error_message(error), False)
            return
        with self._lock:
            if self._stopping:
                return
            self.runner = SyncRunner(
                self.ctx,
                interval=RUNNER_INTERVAL,
                on_report=lambda report: self.reported.emit(report, False),
                on_error=lambda error: self.failed.emit(error.message, False),
            )
            self.runner.start()

    @property
    def running(self) -> bool:
        thread = self.runner._thread if self.runner is not None else None
        return thread is not None and thread.is_alive()

    def wake(self) -> None:
        """Ask the runner for a round soon (after a registration, say)."""
        if self.runner is not None:
            self.runner.wake()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the runner; a round in progress finishes first (up to `timeout`)."""
        with self._lock:
            self._stopping = True
        if self._starter is not None:
            self._starter.join(timeout)
        if self.runner is not None:
            self.runner.stop(timeout)

    # -- one round now ------------------------------------------------------------------

    def sync_now(self, then=None) -> bool:
        """One round on a worker thread; `then(ok)` runs on the GUI thread afterwards.
        False when a round asked for is already running."""
        if self.manual_job is not None:
            return False
        ctx = self.ctx

        def work():
            from counter_app.sync.engine import sync_once
            from counter_app.sync.lock import SyncBusy

            deadline = time.monotonic() + BUSY_WAIT
            while True:
                try:
                    return sync_once(ctx)
                except SyncBusy:  # the runner (or `counter-app sync`) is in a round: wait
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

        def done(report) -> None:
            self.manual_job = None
            if self.runner is not None:
                self.runner.failures = 0  # back to the normal interval
            elif not self._stopping:
                self.start()  # enrolled since the window opened
            self.reported.emit(report, True)
            if then is not None:
                then(True)

        def failed(text: str) -> None:
            self.manual_job = None
            self.failed.emit(text, True)
            if then is not None:
                then(False)

        self.manual_job = self.jobs.start("Đang đồng bộ với máy chủ tỉnh…", work, done, failed)
        return True


def skew_text(seconds: float) -> str:
    """The status bar's clock warning: +840 s -> "Đồng hồ máy chậm 14 phút so với máy chủ"."""
    direction = "chậm" if seconds > 0 else "nhanh"
    minutes = round(abs(seconds) / 60)
    amount = f"{minutes} phút" if minutes < 90 else f"{round(minutes / 60)} giờ"
    return f"Đồng hồ máy {direction} {amount} so với máy chủ"
