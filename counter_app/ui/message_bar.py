"""The message bar above a screen's buttons (re-exported by ui.common).

Its own module, with no `Qt` namespace at import or construction, because the sign-in form
drawn in the window's first frame has one: PySide6 builds every `Qt.*` enum (about 0.1 s) the
first time `Qt` is touched.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy

_BAR_STYLES = {
    "error": "background:#fdecea; color:#8a1c12; border:1px solid #f5c2bd;",
    "info": "background:#e8f4ea; color:#1d5b2b; border:1px solid #b9dcc1;",
    "warn": "background:#fff6e0; color:#6b4a00; border:1px solid #f0d9a0;",
}


class MessageBar(QLabel):
    """One line above a screen's buttons: an error (red), a warning, or a success (green)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.kind = ""
        self._selectable = False  # the text becomes selectable when first shown
        self.hide()

    def _show(self, kind: str, text: str) -> None:
        if not self._selectable:
            from PySide6.QtCore import Qt

            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._selectable = True
        self.kind = kind
        self.setStyleSheet(f"QLabel {{ {_BAR_STYLES[kind]} padding:6px 10px; border-radius:4px; }}")
        self.setText(text)
        self.show()

    def error(self, text: str) -> None:
        self._show("error", text)

    def info(self, text: str) -> None:
        self._show("info", text)

    def warn(self, text: str) -> None:
        self._show("warn", text)

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()
