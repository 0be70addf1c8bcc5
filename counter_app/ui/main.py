"""The desk window (minimal: office set-up and an overview; the desk issue fills it)."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.errors import CounterError
from counter_app.services.context import Context

WINDOW_TITLE = "Quầy Một Cửa"


class SetupForm(QWidget):
    """First run: the receiving unit and the station number."""

    def __init__(self, ctx: Context, on_done) -> None:
        super().__init__()
        self.ctx, self.on_done = ctx, on_done
        layout = QFormLayout(self)
        layout.addRow(QLabel("<b>Thiết lập đơn vị tiếp nhận</b>"))
        self.unit_code = QLineEdit(placeholderText="ví dụ 000.00.12.H49")
        self.unit_name = QLineEdit(placeholderText="ví dụ Ủy ban nhân dân xã Tân Lập")
        self.place = QLineEdit(placeholderText="địa danh ghi trên phiếu")
        self.station = QSpinBox(minimum=0, maximum=9)
        layout.addRow("Mã đơn vị:", self.unit_code)
        layout.addRow("Tên đơn vị:", self.unit_name)
        layout.addRow("Địa danh:", self.place)
        layout.addRow("Số quầy:", self.station)
        self.save = QPushButton("&Lưu thiết lập")
        self.save.clicked.connect(self.submit)
        layout.addRow(self.save)

    def submit(self) -> None:
        from counter_app.services.office import setup_office

        try:
            setup_office(
                self.ctx,
                unit_code=self.unit_code.text(),
                unit_name=self.unit_name.text(),
                station=self.station.value(),
                place=self.place.text(),
            )
        except CounterError as error:
            QMessageBox.warning(self, "Chưa lưu được thiết lập", error.message)
            return
        self.on_done()


class Overview(QWidget):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        from counter_app.services.catalog import count_procedures
        from counter_app.services.office import office_or_none

        office = office_or_none(ctx)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{office.unit_name}</h2>" if office else "")
        layout.addWidget(title)
        self.summary = QLabel(
            f"Mã đơn vị: {office.unit_code} · Quầy số {office.station_number}<br>"
            f"Danh mục: {count_procedures(ctx)} thủ tục<br>"
            f"Thư mục dữ liệu: {ctx.data_dir}"
            if office
            else ""
        )
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addStretch()


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        from counter_app.services.office import office_or_none

        self.ctx = ctx
        self.setWindowTitle(WINDOW_TITLE)
        self.resize(900, 600)
        if office_or_none(ctx) is None:
            self.setCentralWidget(SetupForm(ctx, self.show_overview))
        else:
            self.show_overview()

    def show_overview(self) -> None:
        self.setCentralWidget(Overview(self.ctx))


def run_window(ctx: Context) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    window = MainWindow(ctx)
    window.show()
    return app.exec()
