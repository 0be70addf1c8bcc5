"""Getting to the desk: the first-run set-up wizard and the administrator's first password (for
an office set up from the command line). The sign-in / lock screen is in ui.sign_in (drawn in
the window's first frame, it imports less)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from counter_app.ui.common import MessageBar, guarded
from counter_app.ui.sign_in import (
    CentredBox,
    SignInScreen,  # noqa: F401 (where it used to live)
    password_field,
)

if TYPE_CHECKING:
    from counter_app.services.context import Context


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout()
        self.message = MessageBar()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addStretch()


class OfficePage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Đơn vị tiếp nhận",
            "Thông tin in trên giấy tiếp nhận. Mã đơn vị theo QCVN 102:2016/BTTTT, là phần đầu "
            "của mọi mã hồ sơ.",
        )
        self.unit_code = QLineEdit(placeholderText="ví dụ 000.00.12.H49")
        self.unit_name = QLineEdit(placeholderText="ví dụ UBND xã Tân Lập")
        self.governing_agency = QLineEdit(placeholderText="ví dụ UBND huyện Đan Phượng")
        self.place = QLineEdit(placeholderText="địa danh ghi trên phiếu, ví dụ Hà Nội")
        self.form.addRow("&Mã đơn vị:", self.unit_code)
        self.form.addRow("&Tên đơn vị:", self.unit_name)
        self.form.addRow("&Cơ quan chủ quản:", self.governing_agency)
        self.form.addRow("Đị&a danh:", self.place)

    def validatePage(self) -> bool:
        from counter_app.domain.dossier_code import validate_unit_code
        from counter_app.domain.errors import InvalidInput

        self.message.clear_message()
        ok, _ = guarded(self.message, validate_unit_code, self.unit_code.text())
        if ok and not self.unit_name.text().strip():
            self.message.error(InvalidInput("Nhập tên đơn vị tiếp nhận.").message)
            ok = False
        return ok


class StationPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Quầy tiếp nhận",
            "Mỗi máy (quầy) của đơn vị có một số riêng từ 0 đến 9: quầy số 2 cấp các số thứ tự "
            "2001–2999 trong ngày, nên nhiều quầy làm việc ngoại tuyến không bao giờ trùng mã.",
        )
        self.station = QSpinBox(minimum=0, maximum=9)
        self.form.addRow("&Số quầy:", self.station)


class AdminPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Quản trị viên",
            "Tài khoản quản trị viên (tên đăng nhập «quantri») thêm cán bộ, sửa cài đặt. "
            "Ghi nhớ mật khẩu này.",
        )
        self.full_name = QLineEdit(placeholderText="họ tên người quản trị")
        self.password = password_field()
        self.confirm = password_field()
        self.confirm.setPlaceholderText("nhập lại mật khẩu")
        self.form.addRow("&Họ tên:", self.full_name)
        self.form.addRow("&Mật khẩu:", self.password)
        self.form.addRow("&Nhập lại:", self.confirm)


class SetupWizard(QWizard):
    """First run: office, station, administrator; saved in one transaction at Finish."""

    completed = Signal(str)  # the administrator's username

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setWindowTitle("Thiết lập lần đầu")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Tiếp >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Quay lại")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Hoàn tất")
        self.office, self.station, self.admin = OfficePage(), StationPage(), AdminPage()
        for page in (self.office, self.station, self.admin):
            self.addPage(page)
        self.admin.validatePage = self._save  # Finish saves everything, or nothing

    def _save(self) -> bool:
        from counter_app.services.office import DEFAULT_ADMIN, setup_office

        self.admin.message.clear_message()
        ok, _ = guarded(
            self.admin.message,
            setup_office,
            self.ctx,
            unit_code=self.office.unit_code.text(),
            unit_name=self.office.unit_name.text(),
            governing_agency=self.office.governing_agency.text(),
            place=self.office.place.text(),
            station=self.station.station.value(),
            admin_full_name=self.admin.full_name.text(),
            admin_password=self.admin.password.text(),
            admin_password_confirm=self.admin.confirm.text(),
        )
        if ok:
            self.completed.emit(DEFAULT_ADMIN)
        return ok


class FirstPasswordScreen(CentredBox):
    """The office was set up from the command line: the administrator chooses a password."""

    completed = Signal(object)  # SignedIn

    def __init__(self, ctx: Context) -> None:
        super().__init__("Đặt mật khẩu quản trị viên")
        self.ctx = ctx
        self.subtitle.setText(
            "Đơn vị đã được thiết lập nhưng tài khoản quản trị viên («quantri») chưa có mật "
            "khẩu. Đặt mật khẩu để bắt đầu."
        )
        self.full_name = QLineEdit(placeholderText="họ tên người quản trị")
        self.password = password_field()
        self.confirm = password_field()
        self.form.addRow("&Họ tên:", self.full_name)
        self.form.addRow("&Mật khẩu:", self.password)
        self.form.addRow("&Nhập lại:", self.confirm)
        self.save = QPushButton("&Lưu và đăng nhập")
        self.save.setDefault(True)
        self.save.clicked.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)
        self.layout_.addWidget(self.save)

    def submit(self) -> None:
        from counter_app.services.clerks import set_first_admin_password

        ok, clerk = guarded(
            self.message,
            set_first_admin_password,
            self.ctx,
            full_name=self.full_name.text(),
            password=self.password.text(),
            confirm=self.confirm.text(),
        )
        if ok:
            self.completed.emit(clerk)
