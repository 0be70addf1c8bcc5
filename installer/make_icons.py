"""Render resources/icons/counter-app.svg to the PNG sizes and the Windows .ico.

    QT_QPA_PLATFORM=offscreen .venv/bin/python installer/make_icons.py

QtSvg draws each size from the vector (sharper than scaling one bitmap down); Pillow (a
reportlab dependency) packs the sizes into one .ico.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "counter-app.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def main() -> int:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    rendered = {size: render(size) for size in PNG_SIZES}
    for size, png in rendered.items():
        (ICONS / f"counter-app-{size}.png").write_bytes(png)
    (ICONS / "counter-app.png").write_bytes(rendered[256])
    images = [Image.open(io.BytesIO(rendered[size])) for size in ICO_SIZES]
    images[-1].save(
        ICONS / "counter-app.ico",
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=images[:-1],
    )
    print(f"{len(rendered)} PNG sizes and counter-app.ico in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
