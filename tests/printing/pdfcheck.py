"""Looking at printed PDFs the way a person and a scanner would."""

from __future__ import annotations

import io
import unicodedata

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageFilter
from pypdf import PdfReader

MM = 72 / 25.4


def pages(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            document[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(document))
        ]
    finally:
        document.close()


def scanned(image: Image.Image, *, angle: float = 1.5) -> Image.Image:
    """A cheap scanner's view: slightly skewed, blurred and thresholded."""
    skewed = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    blurred = skewed.filter(ImageFilter.GaussianBlur(0.8))
    return blurred.point(lambda v: 255 if v > 150 else 0)


def decode(image: Image.Image, fmt) -> list[str]:
    return [b.text for b in zxingcpp.read_barcodes(image, formats=fmt)]


def code128(image: Image.Image) -> list[str]:
    return decode(image, zxingcpp.BarcodeFormat.Code128)


def qr(image: Image.Image) -> list[str]:
    return decode(image, zxingcpp.BarcodeFormat.QRCode)


def texts(pdf: bytes, *, normalise: bool = True) -> list[str]:
    """The text of each page as extracted from the PDF (NFC unless told not to)."""
    document = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(document)):
            text = document[i].get_textpage().get_text_range()
            text = text.replace("\r\n", "\n")
            out.append(unicodedata.normalize("NFC", text) if normalise else text)
        return out
    finally:
        document.close()


def flat(text: str) -> str:
    """Whitespace collapsed (extraction breaks lines where the layout wrapped them)."""
    return " ".join(text.split())


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width) / MM, 1), round(float(p.mediabox.height) / MM, 1))
        for p in reader.pages
    ]


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the PDF references (pages and form XObjects): name -> embedded."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, bool] = {}

    def embedded(font) -> bool:
        if "/DescendantFonts" in font:
            return all(embedded(f.get_object()) for f in font["/DescendantFonts"])
        descriptor = font.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def walk(resources, seen: set) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font.get("/BaseFont"))] = embedded(font)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if id(xobject) in seen:
                continue
            seen.add(id(xobject))
            walk(xobject.get("/Resources"), seen)

    for page in reader.pages:
        walk(page.get("/Resources"), set())
    return found
