"""Long work off the GUI thread (the Anki "operations" idea): printing, reports, sync.

`Jobs.start(label, fn, on_done, on_failed)` runs `fn()` on a worker thread; the callbacks run
back on the GUI thread. A job still running after a second shows its label and a busy bar in
the status bar, so the clerk sees that something is happening while the window stays usable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from counter_app.ui.common import error_message

PROGRESS_AFTER_MS = 1000


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)


class _Task(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.job_id, self.fn, self.signals = job_id, fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:
            self.signals.failed.emit(self.job_id, error_message(error))
        else:
            self.signals.done.emit(self.job_id, result)


class Jobs(QObject):
    """The window's background jobs."""

    activity = Signal(str)  # the label of the oldest job running for over a second, or ""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._ids = itertools.count(1)
        self._running: dict[int, tuple[str, Callable | None, Callable | None, _Signals]] = {}
        self._visible: set[int] = set()
        self._retired: list[_Signals] = []

    def start(
        self,
        label: str,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> int:
        job_id = next(self._ids)
        signals = _Signals()
        signals.done.connect(self._done)
        signals.failed.connect(self._failed)
        self._running[job_id] = (label, on_done, on_failed, signals)
        QTimer.singleShot(PROGRESS_AFTER_MS, self, lambda: self._show_progress(job_id))
        self.pool.start(_Task(job_id, fn, signals))
        return job_id

    def is_idle(self) -> bool:
        return not self._running

    def running_labels(self) -> list[str]:
        return [label for label, *_ in self._running.values()]

    def _show_progress(self, job_id: int) -> None:
        if job_id in self._running:
            self._visible.add(job_id)
            self._announce()

    def _announce(self) -> None:
        shown = [self._running[j][0] for j in sorted(self._visible) if j in self._running]
        self.activity.emit(shown[0] if shown else "")

    def _finish(self, job_id: int):
        entry = self._running.pop(job_id, None)
        self._visible.discard(job_id)
        self._announce()
        if entry is not None:
            # The signals object is delivering this very call: drop it only afterwards.
            signals = entry[3]
            self._retired.append(signals)
            QTimer.singleShot(0, self, lambda: self._retired.remove(signals))
        return entry

    @Slot(int, object)
    def _done(self, job_id: int, result: object) -> None:
        entry = self._finish(job_id)
        if entry and entry[1]:
            entry[1](result)

    @Slot(int, str)
    def _failed(self, job_id: int, message: str) -> None:
        entry = self._finish(job_id)
        if entry and entry[2]:
            entry[2](message)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)
