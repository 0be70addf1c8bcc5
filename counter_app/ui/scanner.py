"""Scanners type: an ID card's QR code (payload + Enter) or a receipt's barcode (dossier code +
Enter) arrive as key presses in whatever field has focus. One application-level event filter
watches the window's key presses and recognises both, wherever the focus is.

- ID card: as soon as 12 digits followed by "|" are typed, the rest up to Enter is captured
  (not typed into the field) and the 12 digits already typed are taken back out of the field;
  at Enter the payload is emitted if `looks_like_cccd_qr` accepts it.
- Receipt: at Enter, if the text typed since the last Tab/Enter ends with a dossier code, the
  code is taken out of the field and emitted instead of the Enter.

It also notes the time of the last key press or click, for the idle lock.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

_QR_START = re.compile(r"(\][A-Za-z][0-9A-Za-z])?[0-9]{12}\|$")
_CODE_AT_END = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*-[0-9]{6}-[0-9]{4}$")
# A capture with no key for this long was not a scanner (or the scanner lost its Enter).
CAPTURE_TIMEOUT_S = 2.0
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _take_back(widget: QWidget, typed: str) -> None:
    """Remove `typed` from the end of the field it went into, if it is there."""
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget = widget.lineEdit()
    if isinstance(widget, QAbstractSpinBox):
        widget = widget.findChild(QLineEdit)
    if isinstance(widget, QLineEdit):
        text = widget.text()
        if text.endswith(typed):
            widget.setText(text[: len(text) - len(typed)])
    elif isinstance(widget, QPlainTextEdit):
        text = widget.toPlainText()
        if text.endswith(typed):
            widget.setPlainText(text[: len(text) - len(typed)])


class ScanListener(QObject):
    cccd_scanned = Signal(str)
    receipt_scanned = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.enabled = True
        self.last_activity = time.monotonic()
        self._typed = ""
        self._capture: str | None = None
        self._capture_at = 0.0

    def _ours(self, obj: QObject) -> bool:
        # The first receiver of a key press is the focus widget; parents seeing it again
        # during propagation are skipped.
        return (
            isinstance(obj, QWidget)
            and obj.window() is self.window
            and self.window.focusWidget() is obj
        )

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self.last_activity = time.monotonic()
            return False
        if kind != QEvent.Type.KeyPress or not self.enabled or not self._ours(obj):
            return False
        self.last_activity = now = time.monotonic()
        key, text = event.key(), event.text()
        if self._capture is not None:
            if now - self._capture_at > CAPTURE_TIMEOUT_S:
                self._capture = None  # abandoned; this key is handled normally below
            else:
                self._capture_at = now
                if key in _ENTER:
                    payload, self._capture = self._capture, None
                    from counter_app.domain.cccd import looks_like_cccd_qr  # after start-up

                    if looks_like_cccd_qr(payload):
                        self.cccd_scanned.emit(payload)
                    return True
                if text:
                    self._capture += text
                return True
        if key in _ENTER:
            typed, self._typed = self._typed, ""
            match = _CODE_AT_END.search(typed)
            if match is None:
                return False
            from counter_app.domain.dossier_code import parse_dossier_code  # after start-up
            from counter_app.domain.errors import InvalidInput

            try:
                code = parse_dossier_code(match.group()).code
            except InvalidInput:
                return False
            _take_back(obj, match.group())
            self.receipt_scanned.emit(code)
            return True
        if key == Qt.Key.Key_Backspace:
            self._typed = self._typed[:-1]
            return False
        if text and text.isprintable():
            self._typed = (self._typed + text)[-120:]
            start = _QR_START.search(self._typed) if text == "|" else None
            if start is not None:
                _take_back(obj, start.group()[:-1])
                self._capture, self._capture_at = start.group(), now
                self._typed = ""
                return True
            return False
        if key not in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr):
            self._typed = ""
        return False
