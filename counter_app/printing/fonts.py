"""The embedded serif family: Liberation Serif 2 (SIL OFL 1.1, Times New Roman metrics).

Decree 30/2020 asks for Times New Roman; Liberation Serif has the same metrics and covers
Vietnamese. The TTFs ship in `resources/fonts/` (never the system's fonts) and are embedded
(subset) in every PDF. Registered once per process, on first use.
"""

from __future__ import annotations

import threading

REGULAR = "LiberationSerif"
BOLD = "LiberationSerif-Bold"
ITALIC = "LiberationSerif-Italic"
# Parsing a face costs ~0.1 s (pure Python): only the faces the forms use are registered.
# LiberationSerif-BoldItalic.ttf ships beside them for a form that would need it.
_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the faces and their family with reportlab (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        from reportlab import rl_config
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        from counter_app.app import resources_dir
        from counter_app.domain.errors import CounterError

        folder = resources_dir() / "fonts"
        for name, file_name in _FILES.items():
            path = folder / file_name
            if not path.is_file():
                raise CounterError(
                    f"Thiếu tệp phông chữ {path}: cài đặt lại phần mềm để in được giấy tờ."
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
        # <b>/<i> inside paragraphs resolve through the family; no form nests them, so
        # bold italic falls back to bold rather than costing another face.
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD
        )
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, ITALIC)
        addMapping(REGULAR, 1, 1, BOLD)
        # Flate alone, no ASCII85 on top: smaller PDFs, ~10 ms less per receipt. Printers and
        # viewers read binary streams; only this application uses reportlab in the process.
        rl_config.useA85 = 0
        _registered = True
