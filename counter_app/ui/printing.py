"""Printing from the window: the printing service renders the PDF on a worker thread; then,
as the station's settings say, the window shows a print preview, prints directly, or only
keeps the PDF file. PDF pages are rasterised with pdfium (on the worker thread) so that Qt's
QPrinter and QPrintPreviewDialog can show and print exactly the service's pages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, QSizeF, Signal
from PySide6.QtGui import QImage

from counter_app.services.context import Context

PRINT_DPI = 200
_PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe


@dataclass
class PrintResult:
    summary: str
    path: Path | None
    pages: list[tuple[QImage, tuple[float, float]]]
    mode: str
    printer_name: str


def rasterise(pdf: bytes, dpi: int = PRINT_DPI) -> list[tuple[QImage, tuple[float, float]]]:
    """Each page as an image and its size in points."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    pages = []
    with _PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        try:
            for page in document:
                width, height = page.get_size()
                bitmap = page.render(scale=dpi / 72, force_bitmap_format=pdfium_c.FPDFBitmap_BGRx)
                image = QImage(
                    bytes(bitmap.buffer),
                    bitmap.width,
                    bitmap.height,
                    bitmap.stride,
                    QImage.Format.Format_RGB32,
                ).copy()
                pages.append((image, (width, height)))
                page.close()
        finally:
            document.close()
    return pages


def paint_pages(printer, pages: list[tuple[QImage, tuple[float, float]]]) -> None:
    """Draw the pages on a QPrinter (a real printer, a PDF file, or a preview)."""
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter
    from PySide6.QtPrintSupport import QPrinter

    if not pages:
        return
    printer.setFullPage(True)
    width, height = pages[0][1]
    portrait = QSizeF(min(width, height), max(width, height))
    printer.setPageSize(
        QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    )
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    painter = QPainter(printer)
    try:
        for index, (image, _size) in enumerate(pages):
            if index:
                printer.newPage()
            target = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
            target.moveTo(0, 0)
            painter.drawImage(target, image)
    finally:
        painter.end()


class PrintFlow(QObject):
    """Runs print jobs for the window and hands the result to the clerk."""

    message = Signal(str, str)  # kind ("info" | "error"), text

    def __init__(self, ctx: Context, jobs, clerk_username: Callable[[], str | None], parent):
        super().__init__(parent)
        self.ctx, self.jobs, self.clerk_username = ctx, jobs, clerk_username
        self.window = parent
        self.last_result: PrintResult | None = None
        self.preview = None

    def _folder(self, configured: str) -> Path:
        folder = Path(configured) if configured else self.ctx.data_dir / "prints"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def print_form(self, code: str, form: str = "01", extra: dict[str, Any] | None = None) -> int:
        from counter_app.services.settings import load_settings

        settings = load_settings(self.ctx)
        stamp = self.ctx.now().strftime("%Y%m%d-%H%M%S")
        out = self._folder(settings.pdf_folder) / f"{code}-mau{form}-{stamp}.pdf"
        clerk = self.clerk_username()
        extra = dict(extra or {})

        def work() -> PrintResult:
            from counter_app.services.printing import print_form

            printed = print_form(self.ctx, code, form, out=out, clerk=clerk, **extra)
            pages = rasterise(printed.pdf) if settings.print_mode != "pdf" else []
            return PrintResult(
                printed.summary_vi(),
                printed.path,
                pages,
                settings.print_mode,
                settings.printer_name,
            )

        return self.jobs.start(
            f"Đang in mẫu {form} hồ sơ {code}…",
            work,
            self._deliver,
            lambda text: self.message.emit("error", text),
        )

    def print_register(self, day_from, day_to) -> int:
        from counter_app.services.settings import load_settings

        settings = load_settings(self.ctx)
        out = (
            self._folder(settings.pdf_folder) / f"so-theo-doi-{day_from:%Y%m%d}-{day_to:%Y%m%d}.pdf"
        )
        clerk = self.clerk_username()

        def work() -> PrintResult:
            from counter_app.services.printing import print_register_book

            printed = print_register_book(self.ctx, day_from, day_to, out=out, clerk=clerk)
            pages = rasterise(printed.pdf) if settings.print_mode != "pdf" else []
            return PrintResult(
                printed.summary_vi(),
                printed.path,
                pages,
                settings.print_mode,
                settings.printer_name,
            )

        return self.jobs.start(
            "Đang lập sổ theo dõi hồ sơ…",
            work,
            self._deliver,
            lambda text: self.message.emit("error", text),
        )

    def _deliver(self, result: PrintResult) -> None:
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        self.last_result = result
        if result.mode == "pdf":
            self.message.emit("info", f"{result.summary}.")
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if result.mode == "direct":
            names = QPrinterInfo.availablePrinterNames()
            if not names:
                self.message.emit(
                    "error",
                    "Không tìm thấy máy in nào trên máy này; phiếu đã được lưu thành tệp PDF "
                    f"tại {result.path}. Kiểm tra máy in rồi in lại từ màn hình Hồ sơ.",
                )
                return
            if result.printer_name in names:
                printer.setPrinterName(result.printer_name)
            paint_pages(printer, result.pages)
            self.message.emit(
                "info", f"{result.summary}; đã gửi ra máy in {printer.printerName()}."
            )
            return
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        if result.printer_name and result.printer_name in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(result.printer_name)
        dialog = QPrintPreviewDialog(printer, self.window)
        dialog.setWindowTitle("Xem trước khi in")
        dialog.paintRequested.connect(lambda p: paint_pages(p, result.pages))
        dialog.resize(980, 720)
        self.preview = dialog
        self.preview_printer = printer  # the dialog does not own it: keep it alive
        dialog.open()
        self.message.emit(
            "info", f"{result.summary}. Xem trước rồi bấm biểu tượng máy in (Ctrl+P)."
        )
