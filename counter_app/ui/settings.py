"""Cài đặt: the office and station, office hours, printing, the sync server, the idle lock,
and the clerks' accounts. Administrators change them; every clerk may change their password."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.calendar import WEEKDAY_KEYS, WEEKDAY_NAMES_VI
from counter_app.services.context import Context
from counter_app.ui.common import MessageBar, guarded, heading


def _password() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class SettingsScreen(QWidget):
    office_changed = Signal()
    settings_changed = Signal()

    def __init__(self, ctx: Context, clerk) -> None:
        super().__init__()
        from counter_app.services.clerks import ROLES
        from counter_app.services.settings import PRINT_MODES, RECEIPT_LAYOUTS

        self.ctx = ctx
        self.clerk = clerk  # a callable: the SignedIn clerk now
        self.message = MessageBar()

        self.unit_code = QLineEdit()
        self.unit_name = QLineEdit()
        self.governing_agency = QLineEdit()
        self.place = QLineEdit()
        self.station = QSpinBox(minimum=0, maximum=9)
        self.save_office_button = QPushButton("Lưu thông tin đơn &vị")

        self.hours = {key: QLineEdit() for key in WEEKDAY_KEYS}
        self.print_mode = QComboBox()
        for key, label in PRINT_MODES.items():
            self.print_mode.addItem(label, key)
        self.receipt_layout = QComboBox()
        for key, label in RECEIPT_LAYOUTS.items():
            self.receipt_layout.addItem(label, key)
        self.printer_name = QComboBox()
        self.printer_name.setEditable(True)
        self.pdf_folder = QLineEdit(
            placeholderText="để trống: thư mục prints trong thư mục dữ liệu"
        )
        self.server_url = QLineEdit(placeholderText="https://… (để trống nếu chưa đồng bộ)")
        self.scan_folder = QLineEdit(placeholderText="thư mục máy quét lưu tệp vào")
        self.scan_folder_button = QPushButton("Chọn…")
        self.idle_lock = QSpinBox(minimum=0, maximum=240, suffix=" phút")
        self.idle_lock.setSpecialValueText("Không tự khóa")
        self.save_button = QPushButton("&Lưu cài đặt")

        self.clerk_list = QListWidget()
        self.new_username = QLineEdit(placeholderText="ví dụ lan.nt")
        self.new_full_name = QLineEdit()
        self.new_password = _password()
        self.new_role = QComboBox()
        for key, label in ROLES.items():
            self.new_role.addItem(label, key)
        self.add_clerk_button = QPushButton("&Thêm cán bộ")
        self.reset_password_button = QPushButton("Đặt lại &mật khẩu cho người đã chọn")
        self.my_password = _password()
        self.my_password_confirm = _password()
        self.change_password_button = QPushButton("Đổi mật khẩu của tôi")

        self._layout()
        self.save_office_button.clicked.connect(self.save_office)
        self.save_button.clicked.connect(self.save_settings)
        self.scan_folder_button.clicked.connect(self.choose_scan_folder)
        self.add_clerk_button.clicked.connect(self.add_clerk)
        self.reset_password_button.clicked.connect(self.reset_password)
        self.change_password_button.clicked.connect(self.change_my_password)

    def _layout(self) -> None:
        inner = QWidget()
        columns = QHBoxLayout(inner)
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        office = QGroupBox("Đơn vị và quầy")
        form = QFormLayout(office)
        form.addRow("Mã đơn vị:", self.unit_code)
        form.addRow("Tên đơn vị:", self.unit_name)
        form.addRow("Cơ quan chủ quản:", self.governing_agency)
        form.addRow("Địa danh:", self.place)
        form.addRow("Số quầy:", self.station)
        form.addRow(self.save_office_button)
        left.addWidget(office)

        hours = QGroupBox("Giờ làm việc (ví dụ 07:00-11:30, 13:30-17:00; trống = nghỉ)")
        grid = QGridLayout(hours)
        for index, key in enumerate(WEEKDAY_KEYS):
            grid.addWidget(QLabel(WEEKDAY_NAMES_VI[index] + ":"), index, 0)
            grid.addWidget(self.hours[key], index, 1)
        left.addWidget(hours)
        left.addStretch()

        station = QGroupBox("In ấn, đồng bộ, khóa màn hình")
        form = QFormLayout(station)
        form.addRow("Cách in:", self.print_mode)
        form.addRow("Khổ giấy tiếp nhận:", self.receipt_layout)
        form.addRow("Máy in:", self.printer_name)
        form.addRow("Thư mục lưu PDF:", self.pdf_folder)
        form.addRow("Máy chủ đồng bộ:", self.server_url)
        scan = QHBoxLayout()
        scan.addWidget(self.scan_folder, 1)
        scan.addWidget(self.scan_folder_button)
        form.addRow("Thư mục máy quét:", scan)
        form.addRow("Tự khóa sau:", self.idle_lock)
        form.addRow(self.save_button)
        right.addWidget(station)

        clerks = QGroupBox("Cán bộ")
        box = QVBoxLayout(clerks)
        self.clerk_list.setMaximumHeight(110)
        box.addWidget(self.clerk_list)
        form = QFormLayout()
        form.addRow("Tên đăng nhập:", self.new_username)
        form.addRow("Họ tên:", self.new_full_name)
        form.addRow("Mật khẩu:", self.new_password)
        form.addRow("Vai trò:", self.new_role)
        box.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.add_clerk_button)
        row.addWidget(self.reset_password_button)
        box.addLayout(row)
        right.addWidget(clerks)

        mine = QGroupBox("Mật khẩu của tôi")
        form = QFormLayout(mine)
        form.addRow("Mật khẩu mới:", self.my_password)
        form.addRow("Nhập lại:", self.my_password_confirm)
        form.addRow(self.change_password_button)
        right.addWidget(mine)
        right.addStretch()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Cài đặt"))
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    def load(self) -> None:
        from counter_app.services.clerks import list_clerks
        from counter_app.services.office import office_or_none
        from counter_app.services.settings import format_hours_day, load_settings

        office = office_or_none(self.ctx)
        if office is not None:
            self.unit_code.setText(office.unit_code)
            self.unit_name.setText(office.unit_name)
            self.governing_agency.setText(office.governing_agency)
            self.place.setText(office.place)
            self.station.setValue(office.station_number)
        settings = load_settings(self.ctx)
        for key in WEEKDAY_KEYS:
            self.hours[key].setText(format_hours_day(settings.office_hours.get(key, [])))
        self.print_mode.setCurrentIndex(max(0, self.print_mode.findData(settings.print_mode)))
        self.receipt_layout.setCurrentIndex(
            max(0, self.receipt_layout.findData(settings.receipt_layout))
        )
        self.printer_name.clear()
        self.printer_name.addItem("")
        try:
            from PySide6.QtPrintSupport import QPrinterInfo

            self.printer_name.addItems(QPrinterInfo.availablePrinterNames())
        except ImportError:  # pragma: no cover - QtPrintSupport ships with PySide6-Essentials
            pass
        self.printer_name.setCurrentText(settings.printer_name)
        self.pdf_folder.setText(settings.pdf_folder)
        self.server_url.setText(settings.server_url)
        self.scan_folder.setText(settings.scan_folder)
        self.idle_lock.setValue(settings.idle_lock_minutes)
        self.clerk_list.clear()
        for c in list_clerks(self.ctx):
            self.clerk_list.addItem(f"{c.username} — {c.full_name} ({c.role_label})")
            self.clerk_list.item(self.clerk_list.count() - 1).setData(256, c.username)
        admin = self.clerk() is not None and self.clerk().is_admin
        for widget in (
            self.unit_code,
            self.unit_name,
            self.governing_agency,
            self.place,
            self.station,
            self.save_office_button,
            *self.hours.values(),
            self.print_mode,
            self.receipt_layout,
            self.printer_name,
            self.pdf_folder,
            self.server_url,
            self.scan_folder,
            self.scan_folder_button,
            self.idle_lock,
            self.save_button,
            self.new_username,
            self.new_full_name,
            self.new_password,
            self.new_role,
            self.add_clerk_button,
            self.reset_password_button,
        ):
            widget.setEnabled(admin)
        if not admin:
            self.message.warn(
                "Chỉ quản trị viên thay đổi được cài đặt của quầy; "
                "bạn có thể đổi mật khẩu của mình."
            )
        else:
            self.message.clear_message()

    def save_office(self) -> None:
        from counter_app.services.office import setup_office

        ok, _ = guarded(
            self.message,
            setup_office,
            self.ctx,
            unit_code=self.unit_code.text(),
            unit_name=self.unit_name.text(),
            station=self.station.value(),
            place=self.place.text(),
            governing_agency=self.governing_agency.text(),
        )
        if ok:
            self.message.info("Đã lưu thông tin đơn vị và quầy.")
            self.office_changed.emit()

    def save_settings(self) -> None:
        from counter_app.services.settings import StationSettings, parse_hours_text, save_settings

        def run():
            hours = parse_hours_text({key: field.text() for key, field in self.hours.items()})
            new = StationSettings(
                office_hours=hours,
                print_mode=self.print_mode.currentData(),
                receipt_layout=self.receipt_layout.currentData(),
                printer_name=self.printer_name.currentText(),
                pdf_folder=self.pdf_folder.text(),
                server_url=self.server_url.text(),
                idle_lock_minutes=self.idle_lock.value(),
                scan_folder=self.scan_folder.text(),
            )
            return save_settings(self.ctx, new, acting=self.clerk())

        ok, _ = guarded(self.message, run)
        if ok:
            self.load()
            self.message.info("Đã lưu cài đặt.")
            self.settings_changed.emit()

    def choose_scan_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(
            self, "Chọn thư mục máy quét lưu tệp vào", self.scan_folder.text()
        )
        if folder:
            self.scan_folder.setText(folder)

    def add_clerk(self) -> None:
        from counter_app.services.clerks import create_clerk

        ok, clerk = guarded(
            self.message,
            create_clerk,
            self.ctx,
            username=self.new_username.text(),
            full_name=self.new_full_name.text(),
            password=self.new_password.text(),
            role=self.new_role.currentData(),
            acting=self.clerk(),
        )
        if ok:
            for field in (self.new_username, self.new_full_name, self.new_password):
                field.clear()
            self.load()
            self.message.info(f"Đã thêm cán bộ {clerk.full_name} ({clerk.username}).")

    def reset_password(self) -> None:
        from counter_app.services.clerks import change_password

        item = self.clerk_list.currentItem()
        if item is None:
            self.message.error("Chọn một cán bộ trong danh sách trước.")
            return
        username = item.data(256)
        ok, _ = guarded(
            self.message,
            change_password,
            self.ctx,
            username,
            new_password=self.new_password.text(),
            acting=self.clerk(),
        )
        if ok:
            self.new_password.clear()
            self.message.info(f"Đã đặt lại mật khẩu cho {username} (dùng ô Mật khẩu ở trên).")

    def change_my_password(self) -> None:
        from counter_app.services.clerks import change_password

        me = self.clerk()
        ok, _ = guarded(
            self.message,
            change_password,
            self.ctx,
            me.username,
            new_password=self.my_password.text(),
            confirm=self.my_password_confirm.text(),
            acting=me,
        )
        self.my_password.clear()
        self.my_password_confirm.clear()
        if ok:
            self.message.info("Đã đổi mật khẩu của bạn.")
