"""The background sync runner: pushes and pulls whenever the server answers, off the GUI thread.

One per device (sync_once takes the device lock). After a failure it waits with exponential
backoff and jitter (30 s, 1 min, 2 min ... up to 15 min); `wake()` asks for a round now, e.g.
right after a registration. Reports go to a callback, which the window turns into a signal.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable

from counter_app.domain.errors import CounterError
from counter_app.services.context import Context
from counter_app.sync.engine import SyncReport, sync_once
from counter_app.sync.lock import SyncBusy

MAX_BACKOFF = 15 * 60


class SyncRunner:
    def __init__(
        self,
        ctx: Context,
        *,
        interval: float = 60,
        on_report: Callable[[SyncReport], None] | None = None,
        on_error: Callable[[CounterError], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.interval = interval
        self.on_report = on_report
        self.on_error = on_error
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="counter-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def next_delay(self) -> float:
        if self.failures == 0:
            return self.interval
        backoff = min(MAX_BACKOFF, 30 * 2 ** (self.failures - 1))
        return backoff * random.uniform(0.5, 1.0)

    def run_round(self) -> SyncReport | None:
        try:
            report = sync_once(self.ctx)
        except SyncBusy:
            return None  # another process of this station is syncing: not a failure
        except CounterError as error:
            self.failures += 1
            if self.on_error:
                self.on_error(error)
            return None
        except Exception as error:  # a bug must not kill the runner; it is reported
            self.failures += 1
            if self.on_error:
                self.on_error(CounterError(f"Lỗi không mong đợi khi đồng bộ: {error!r}"))
            return None
        self.failures = 0
        if self.on_report:
            self.on_report(report)
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_round()
            self._wake.wait(self.next_delay())
            self._wake.clear()


def run_forever(ctx: Context, interval: float = 60) -> int:
    """`counter-app sync`: rounds until Ctrl-C, one line per round."""

    def report(r: SyncReport) -> None:
        for line in r.lines_vi():
            print(line, flush=True)

    def error(e: CounterError) -> None:
        print(f"Lỗi: {e}", file=sys.stderr, flush=True)

    runner = SyncRunner(ctx, interval=interval, on_report=report, on_error=error)
    try:
        while True:
            runner.run_round()
            runner._stop.wait(runner.next_delay())
    except KeyboardInterrupt:
        print("Đã dừng đồng bộ.", file=sys.stderr)
        return 0
