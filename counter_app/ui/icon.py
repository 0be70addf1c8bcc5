"""The application's icon files (ui.about shows one; the window sets the icon before it is
first drawn, so this module imports nothing but QtGui)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon


def icon_path(size: int | None = None) -> Path:
    from counter_app.app import resources_dir

    name = f"counter-app-{size}.png" if size else "counter-app.png"
    return resources_dir() / "icons" / name


def application_icon() -> QIcon:
    """The window icon (files are read when Qt first draws it)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addFile(str(icon_path(size)))
    return icon
