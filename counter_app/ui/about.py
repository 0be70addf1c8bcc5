"""Trợ giúp › Giới thiệu: what is installed (version, database schema, data folder) and the
licences of what is shipped with it (the fonts' SIL OFL, Qt's LGPL)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from counter_app.ui.icon import icon_path

APP_TITLE = "Quầy Một Cửa"


def about_facts(ctx) -> dict[str, str]:
    """What the box says, as plain values (also what a test checks)."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from counter_app import __version__
    from counter_app.models.database import SCHEMA_HEAD, current_revision

    revision = current_revision(ctx.db.path) or "chưa có"
    schema = revision if revision == SCHEMA_HEAD else f"{revision} (phần mềm cần {SCHEMA_HEAD})"
    return {
        "version": __version__,
        "schema": schema,
        "data_dir": str(ctx.data_dir),
        "database": str(ctx.db.path),
        "qt": f"Qt {qVersion()}, PySide6 {pyside_version}",
    }


class AboutDialog(QDialog):
    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        from counter_app.app import resources_dir

        self.setWindowTitle(f"Giới thiệu {APP_TITLE}")
        self.facts = about_facts(ctx)
        facts = {key: escape(value) for key, value in self.facts.items()}
        logo = QLabel()
        logo.setPixmap(QPixmap(str(icon_path(64))))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(
            f"<h2>{APP_TITLE}</h2>"
            "<p>Tiếp nhận và trả kết quả hồ sơ thủ tục hành chính tại Bộ phận Một cửa; "
            "làm việc cả khi mất mạng, đồng bộ với máy chủ tỉnh khi có mạng.</p>"
            "<table cellspacing='4'>"
            f"<tr><td>Phiên bản:</td><td><b>{facts['version']}</b></td></tr>"
            f"<tr><td>Phiên bản cơ sở dữ liệu:</td><td>{facts['schema']}</td></tr>"
            f"<tr><td>Thư mục dữ liệu:</td><td>{facts['data_dir']}</td></tr>"
            f"<tr><td>Thư viện giao diện:</td><td>{facts['qt']} (giấy phép LGPL v3)</td></tr>"
            "</table>"
            "<p>Phông chữ in biểu mẫu: Liberation Serif, giấy phép SIL Open Font License 1.1.</p>"
        )
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setMinimumWidth(460)

        self.licence = QPlainTextEdit()
        self.licence.setReadOnly(True)
        self.licence.setMinimumHeight(220)
        self.licence.hide()
        self._licence_file = resources_dir() / "fonts" / "OFL.txt"
        self.licence_button = QPushButton("Xem giấy phép &phông chữ")
        self.licence_button.setCheckable(True)
        self.licence_button.toggled.connect(self.show_licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đó&ng")
        buttons.addButton(self.licence_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(logo)
        top.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.licence)
        layout.addWidget(buttons)

    def show_licence(self, shown: bool) -> None:
        if shown and not self.licence.toPlainText():
            try:
                text = self._licence_file.read_text("utf-8")
            except OSError:
                text = f"Không đọc được tệp giấy phép {self._licence_file}."
            self.licence.setPlainText(text)
        self.licence.setVisible(shown)
        self.adjustSize()
