"""Vietnamese for Qt's own dialogs and menus (buttons, file dialog, print preview, the text
fields' context menu).

Qt ships no `qtbase_vi.qm`, so the project keeps its own in `resources/translations/`
(made from the `.ts` beside it by installer/make_translations.sh). Loading it is one small
file read at start-up; a Qt that one day ships its own Vietnamese is used as well.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

QT_CATALOG = "qtbase_vi"


def install_qt_translators(app: QCoreApplication) -> list[QTranslator]:
    """Install the Vietnamese catalogs found; returns them (kept alive by the application)."""
    from counter_app.app import resources_dir

    installed = []
    folders = (
        resources_dir() / "translations",  # ours, consulted last: installed first
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    )
    for folder in folders:
        translator = QTranslator(app)
        if translator.load(QT_CATALOG, str(folder)) and app.installTranslator(translator):
            installed.append(translator)
    return installed
