"""First run, sign-in, the administrator's first password, the idle lock."""

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from support_ui import ADMIN_PASSWORD, CLERK_PASSWORD, open_window, sign_in


@pytest.fixture
def fresh_ctx(tmp_path, migrated_database, clock):
    from counter_app.app import open_context

    (tmp_path / "fresh").mkdir()
    shutil.copy(migrated_database, tmp_path / "fresh" / migrated_database.name)
    ctx = open_context(tmp_path / "fresh")
    ctx.clock = clock
    yield ctx
    ctx.db.close()


def test_first_run_wizard_creates_office_station_and_administrator(qtbot, typist, fresh_ctx):
    from counter_app.services.office import office_or_none
    from counter_app.ui.access import SetupWizard

    window = open_window(qtbot, fresh_ctx)
    wizard = window.stack.currentWidget()
    assert isinstance(wizard, SetupWizard)
    next_button = wizard.button(QWizard.WizardButton.NextButton)

    qtbot.keyClicks(wizard.office.unit_code, "000..12")
    typist(wizard.office.unit_name, "Ủy ban nhân dân xã Tân Lập")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.office  # refused, with the reason shown
    assert "Mã đơn vị" in wizard.office.message.text()
    wizard.office.unit_code.clear()
    qtbot.keyClicks(wizard.office.unit_code, "000.00.12.H49")
    typist(wizard.office.place, "Hà Nội")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.station
    wizard.station.station.setValue(2)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.admin

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    typist(wizard.admin.full_name, "Trần Quản Trị")
    typist(wizard.admin.password, "abc")
    typist(wizard.admin.confirm, "abc")
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert "ít nhất 6 ký tự" in wizard.admin.message.text()
    assert office_or_none(fresh_ctx) is None  # nothing saved half-way

    wizard.admin.password.clear()
    wizard.admin.confirm.clear()
    typist(wizard.admin.password, "mật-khẩu-1")
    typist(wizard.admin.confirm, "mật-khẩu-1")
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    office = office_or_none(fresh_ctx)
    assert office.unit_code == "000.00.12.H49" and office.station_number == 2

    assert window.stack.currentWidget() is window.sign_in_screen
    assert window.sign_in_screen.username.text() == "quantri"
    typist(window.sign_in_screen.password, "mật-khẩu-1")
    qtbot.keyClick(window.sign_in_screen.password, Qt.Key.Key_Return)
    assert window.clerk.full_name == "Trần Quản Trị" and window.clerk.is_admin
    assert window.desk.currentWidget() is window.desk.receive
    assert "Trần Quản Trị" in window.clerk_label.text()
    window.close()


def test_office_set_up_from_the_command_line_asks_for_the_admin_password(qtbot, typist, ctx):
    window = open_window(qtbot, ctx)
    screen = window.first_password
    assert window.stack.currentWidget() is screen
    typist(screen.full_name, "Lê Văn Quản")
    typist(screen.password, "123456789")
    typist(screen.confirm, "987654321")
    qtbot.mouseClick(screen.save, Qt.MouseButton.LeftButton)
    assert "không khớp" in screen.message.text()
    screen.confirm.clear()
    typist(screen.confirm, "123456789")
    qtbot.keyClick(screen.confirm, Qt.Key.Key_Return)
    assert window.clerk.username == "quantri"
    window.close()


def test_wrong_password_then_lock_keeps_the_work_in_progress(qtbot, typist, desk_ctx):
    window = open_window(qtbot, desk_ctx)
    sign_in(qtbot, window, "lan.nt", "sai-mat-khau")
    assert window.clerk is None
    assert "không đúng" in window.sign_in_screen.message.text()
    assert window.sign_in_screen.password.text() == ""
    sign_in(qtbot, window, "lan.nt", CLERK_PASSWORD)
    receive = window.desk.receive
    typist(receive.full_name, "Phạm Thị Hoa")

    # Idle past the setting (10 minutes): the window locks.
    assert not window.check_idle(now=window.scanner.last_activity + 9 * 60)
    assert window.check_idle(now=window.scanner.last_activity + 10 * 60 + 1)
    assert window.stack.currentWidget() is window.sign_in_screen
    assert "khóa" in window.sign_in_screen.subtitle.text()
    assert window.sign_in_screen.username.text() == "lan.nt"
    assert window.clerk is None and not window.desk_actions[0].isEnabled()
    typist(window.sign_in_screen.password, CLERK_PASSWORD)
    qtbot.keyClick(window.sign_in_screen.password, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.desk
    assert receive.full_name.text() == "Phạm Thị Hoa"

    # Ctrl+L locks at once; another clerk may unlock.
    qtbot.keyClick(receive.full_name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.clerk is None
    sign_in(qtbot, window, "quantri", ADMIN_PASSWORD)
    assert window.clerk.username == "quantri"
    window.close()
