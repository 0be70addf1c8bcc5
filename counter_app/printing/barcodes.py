"""Code 128 drawn as vector bars, and the lookup QR code.

python-barcode is the project's Code 128 encoder, but its SVG (mm units, no viewBox) and its PNG
scaled into a PDF do not scan reliably: only its module string is used here, and every run of
dark modules becomes one filled rectangle, so the bars stay sharp at any printer resolution.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from counter_app.printing.fonts import REGULAR

QUIET_MODULES = 10  # ISO/IEC 15417 asks for at least 10 modules of white on each side


@lru_cache(maxsize=256)
def code128_modules(text: str) -> str:
    """The module string of `text` ("1" dark, "0" light), start to stop pattern included."""
    import barcode

    return barcode.get("code128", text).build()[0]


def code128_runs(text: str) -> list[tuple[int, int]]:
    """(first module, length) of each dark bar."""
    runs: list[tuple[int, int]] = []
    modules = code128_modules(text)
    start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


def code128_width(text: str, module: float) -> float:
    """Width in points of the symbol with its two quiet zones."""
    return (len(code128_modules(text)) + 2 * QUIET_MODULES) * module


def draw_code128(canvas, text: str, x: float, y: float, *, module: float, height: float) -> None:
    """Bars from (x, y) upwards; x is the left edge of the left quiet zone."""
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    left = x + QUIET_MODULES * module
    path = canvas.beginPath()
    for first, length in code128_runs(text):
        path.rect(left + first * module, y, length * module, height)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


QR_QUIET_MODULES = 4


@lru_cache(maxsize=256)
def qr_matrix(text: str, level: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The QR modules of `text` (reportlab's own encoder), True for dark, rows top to bottom."""
    from reportlab.graphics.barcode import qrencoder

    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(text)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


def draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code (level M) with its 4-module quiet zone in a size x size square at (x, y).

    The encoder's matrix is drawn straight onto the canvas as one filled path: the same
    modules as reportlab's QrCodeWidget, without a Drawing (which would reference Helvetica)
    and about ten times faster.
    """
    matrix = qr_matrix(text)
    count = len(matrix)
    box = size / (count + 2 * QR_QUIET_MODULES)
    top = y + size - QR_QUIET_MODULES * box
    left = x + QR_QUIET_MODULES * box
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                path.rect(left + start * box, top - (r + 1) * box, (c - start) * box, box)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _as_form(canvas, name: str, width: float, height: float, paint) -> None:
    """Draw through a form XObject named `name`: painted once per PDF, placed many times
    (the two copies of Form 01 share their barcode and QR code)."""
    if not canvas.hasForm(name):
        canvas.beginForm(name, 0, 0, width, height)
        paint()
        canvas.endForm()
    canvas.doForm(name)


def _form_name(kind: str, *parts: object) -> str:
    import hashlib

    digest = hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:16]
    return f"{kind}{digest}"


class Code128(Flowable):
    """A Code 128 symbol with its quiet zones and, below it, the text in plain figures."""

    def __init__(
        self,
        text: str,
        *,
        module: float = 0.33 * mm,
        height: float = 12 * mm,
        font_size: float = 10,
        caption: bool = True,
    ) -> None:
        super().__init__()
        self.text = text
        self.module = module
        self.bar_height = height
        self.font_size = font_size
        self.caption = caption
        self.width = code128_width(text, module)
        self.height = height + (font_size * 1.3 if caption else 0)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv

        def paint() -> None:
            caption = self.font_size * 1.3 if self.caption else 0
            draw_code128(canvas, self.text, 0, caption, module=self.module, height=self.bar_height)
            if self.caption:
                canvas.setFont(REGULAR, self.font_size)
                canvas.drawCentredString(self.width / 2, self.font_size * 0.3, self.text)

        name = _form_name("Bar", self.text, self.module, self.bar_height, self.font_size)
        _as_form(canvas, name, self.width, self.height, paint)


class QrCode(Flowable):
    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.width = self.height = size

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        name = _form_name("Qr", self.text, self.width)
        _as_form(
            self.canv,
            name,
            self.width,
            self.height,
            lambda: draw_qr(self.canv, self.text, 0, 0, self.width),
        )
