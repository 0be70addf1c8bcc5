"""Trợ giúp › Giới thiệu (version, database schema, data folder, licences) and Qt's own
buttons and menus in Vietnamese."""

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from support_ui import open_window

from counter_app import __version__
from counter_app.models.database import SCHEMA_HEAD


def test_about_box_says_version_schema_data_folder_and_font_licence(qtbot, ctx):
    from counter_app.ui.about import AboutDialog

    window = open_window(qtbot, ctx)  # before sign-in: the Help menu is always there
    help_menu = next(
        action.menu()
        for action in window.menuBar().actions()
        if action.text().replace("&", "") == "Trợ giúp"
    )
    about = next(a for a in help_menu.actions() if a.text().replace("&", "") == "Giới thiệu")
    assert about.isEnabled()
    seen = {}

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AboutDialog)
        seen["title"] = dialog.windowTitle()
        seen["text"] = dialog.text.text()
        dialog.licence_button.click()
        seen["licence"] = dialog.licence.toPlainText()
        seen["licence_shown"] = dialog.licence.isVisible()
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close).click()

    QTimer.singleShot(0, read_and_close)
    about.trigger()  # exec() returns when the box is closed
    assert seen["title"] == "Giới thiệu Quầy Một Cửa"
    text = seen["text"]
    assert f"<b>{__version__}</b>" in text
    assert f"Phiên bản cơ sở dữ liệu:</td><td>{SCHEMA_HEAD}<" in text
    assert str(ctx.data_dir) in text
    assert "Liberation Serif, giấy phép SIL Open Font License 1.1" in text
    assert seen["licence_shown"] and "SIL OPEN FONT LICENSE Version 1.1" in seen["licence"]


def test_about_box_says_when_the_database_is_older_than_the_program(qtbot, ctx):
    from counter_app.ui.about import about_facts

    assert about_facts(ctx)["schema"] == SCHEMA_HEAD
    with ctx.db.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    assert about_facts(ctx)["schema"] == f"0001 (phần mềm cần {SCHEMA_HEAD})"


def test_qt_own_buttons_and_menus_are_vietnamese(qtbot, qapp):
    from counter_app.ui.translations import install_qt_translators

    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    installed = install_qt_translators(qapp)
    try:
        assert installed, "resources/translations/qtbase_vi.qm"
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Hỏi",
            "Tiếp tục?",
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel,
        )
        qtbot.addWidget(box)
        texts = {
            box.button(b).text()
            for b in (
                QMessageBox.StandardButton.Yes,
                QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Cancel,
            )
        }
        assert texts == {"&Có", "&Không", "Hủy"}
        assert QCoreApplication.translate("QLineEdit", "&Paste") == "&Dán"
        assert QCoreApplication.translate("QPrintPreviewDialog", "Print") == "In"
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
