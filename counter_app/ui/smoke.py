"""`counter-app --smoke`: open the window, close it after its first paint, exit 0.

For the installed bundle's check (tests/installer, docs/install.md): proves that Qt, its
platform plugin, the fonts and the database all load in the frozen program, without a clerk.
The window closes through its own closing path (the sync runner is stopped, threads joined).
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

_started = time.perf_counter()


class _CloseAfterFirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and isinstance(watched.window(), QMainWindow)
        ):
            app = QApplication.instance()
            app.removeEventFilter(self)
            window = watched.window()
            elapsed = time.perf_counter() - _started
            print(f"Cửa sổ «{window.windowTitle()}» đã hiện sau {elapsed:.2f} s; đóng (--smoke).")
            # Qt's own words come from resources/translations (ui.translations)
            print(f"Nút của Qt: «{QCoreApplication.translate('QPlatformTheme', 'Cancel')}»")
            if sys.stdout is not None:  # None in the windowed Windows executable
                sys.stdout.flush()
            QTimer.singleShot(0, window.close)
        return False


def close_after_first_paint() -> QApplication:
    """Create the application with the filter installed; run_window then reuses it."""
    app = QApplication.instance() or QApplication(sys.argv)
    app._smoke_filter = _CloseAfterFirstPaint(app)
    app.installEventFilter(app._smoke_filter)
    return app
