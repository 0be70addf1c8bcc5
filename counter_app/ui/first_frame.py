"""Run something right after a window's first frame is drawn.

The window is painted when the event loop handles its first expose, after any zero-delay timer
or queued call made before `app.exec()`: a `QTimer.singleShot(0, ...)` set up while building
the window would run before the first frame, not after it. Here a filter on the window itself
sees its first paint event (the top-level widget is painted before its children, in the same
pass) and queues the callback, which therefore runs once that whole frame is drawn.

If no paint comes (the window was never shown, or starts minimised), the callback runs after
`FALLBACK_MS` all the same.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

FALLBACK_MS = 1000


class _FirstFrame(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.callback = callback
        self.queued = False
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._queue)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._queue()
        return False

    def _queue(self) -> None:
        if self.queued:
            return
        self.queued = True
        self.window.removeEventFilter(self)
        QTimer.singleShot(0, self, self.callback)  # after the rest of this frame


def after_first_frame(window: QWidget, callback: Callable[[], None]) -> None:
    """Call `callback()` on the GUI thread once `window`'s first frame is drawn."""
    _FirstFrame(window, callback)
