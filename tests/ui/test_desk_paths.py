"""Refusal, supplement and withdrawal through the window; errors as Vietnamese messages with
nothing saved; the keyboard; printing modes."""

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from support_ui import ADMIN_PASSWORD, open_window, sign_in

from counter_app.services.search import search_dossiers


def fill_applicant(qtbot, typist, receive, procedure: str = "ket hon (thu") -> None:
    typist(receive.procedure_search, procedure)
    qtbot.keyClick(receive.procedure_search, Qt.Key.Key_Return)
    typist(receive.id_number, "079185000111")
    typist(receive.full_name, "Đặng Thị Hằng")
    typist(receive.date_of_birth, "15/01/1985")
    receive.gender.setCurrentText("Nữ")
    typist(receive.address, "Xóm Bãi, xã Tân Lập")


def pdfs(window, pattern):
    window.jobs.wait()
    QApplication.processEvents()
    return sorted(Path(window.printing_folder()).glob(pattern))


def test_refusal_needs_a_reason_and_prints_form_03(qtbot, typist, window, desk_ctx):
    receive = window.desk.receive
    fill_applicant(qtbot, typist, receive)
    qtbot.mouseClick(receive.refuse_button, Qt.MouseButton.LeftButton)
    assert "lý do" in receive.message.text() and receive.message.kind == "error"
    assert receive.reason.hasFocus()
    assert search_dossiers(desk_ctx) == []  # nothing saved
    typist(receive.reason, "Không thuộc thẩm quyền của xã")
    # Alt+3: the button's mnemonic (a mnemonic "animates" the click, hence the wait).
    qtbot.keyClick(receive.reason, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(search_dossiers(desk_ctx)) == 1)
    [dossier] = search_dossiers(desk_ctx)
    assert dossier["status"] == "refused"
    qtbot.waitUntil(window.jobs.is_idle)
    assert pdfs(window, f"{dossier['code']}-mau03-*.pdf")


def test_incomplete_dossier_supplement_then_received(qtbot, typist, window, desk_ctx, clock):
    receive = window.desk.receive
    fill_applicant(qtbot, typist, receive)
    receive.documents.item(1, 0).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(receive.save_button, Qt.MouseButton.LeftButton)
    assert "còn thiếu: Giấy xác nhận tình trạng hôn nhân" in receive.message.text()
    assert search_dossiers(desk_ctx) == []
    qtbot.mouseClick(receive.supplement_button, Qt.MouseButton.LeftButton)
    [dossier] = search_dossiers(desk_ctx)
    code = dossier["code"]
    assert dossier["status"] == "supplement_requested"
    qtbot.waitUntil(window.jobs.is_idle)
    assert pdfs(window, f"{code}-mau02-*.pdf")

    # Days later the citizen brings the paper: the clock restarts from the dossier screen.
    clock.now += timedelta(days=7)
    window.open_dossier(code)
    detail = window.desk.detail
    assert "Cần bổ sung: Giấy xác nhận tình trạng hôn nhân" in detail.history.topLevelItem(1).text(
        2
    )
    assert detail.supplement_button.isEnabled() and not detail.hand_back_button.isEnabled()
    qtbot.mouseClick(detail.supplement_button, Qt.MouseButton.LeftButton)
    assert detail.status.text() == "Đã tiếp nhận"
    assert "hẹn mới" in detail.history.topLevelItem(2).text(2)
    assert search_dossiers(desk_ctx)[0]["appointment_at"] > dossier["appointment_at"]


def test_withdrawal_and_apology_letter(qtbot, typist, window, desk_ctx):
    receive = window.desk.receive
    fill_applicant(qtbot, typist, receive)
    qtbot.keyClick(receive.address, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [dossier] = search_dossiers(desk_ctx)
    window.open_dossier(dossier["code"])
    detail = window.desk.detail

    typist(detail.new_appointment, "10/12/2026 15:00")
    qtbot.mouseClick(detail.apology_button, Qt.MouseButton.LeftButton)
    assert "lý do" in detail.message.text().lower()
    typist(detail.note, "Chờ xác minh tại địa phương khác")
    qtbot.mouseClick(detail.apology_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.jobs.is_idle)
    assert pdfs(window, f"{dossier['code']}-mau04-*.pdf")

    detail.note.clear()
    qtbot.mouseClick(detail.withdraw_button, Qt.MouseButton.LeftButton)
    assert detail.message.kind == "error" and "lý do" in detail.message.text()
    typist(detail.note, "Công dân xin rút để bổ sung giấy tờ khác")
    qtbot.mouseClick(detail.withdraw_button, Qt.MouseButton.LeftButton)
    assert detail.status.text() == "Công dân rút hồ sơ"
    assert not detail.withdraw_button.isEnabled()


def test_errors_are_sentences_in_the_window_and_nothing_is_saved(qtbot, typist, window, desk_ctx):
    receive = window.desk.receive
    qtbot.keyClick(receive.procedure_search, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "Chưa chọn thủ tục" in receive.message.text()
    fill_applicant(qtbot, typist, receive)
    typist(receive.phone, "12345")
    qtbot.mouseClick(receive.save_button, Qt.MouseButton.LeftButton)
    assert "Số điện thoại «12345» không hợp lệ" in receive.message.text()
    assert receive.phone.hasFocus()
    receive.phone.clear()
    receive.id_number.clear()
    typist(receive.id_number, "079085000111")  # says male, born 1985; the form says female
    qtbot.mouseClick(receive.save_button, Qt.MouseButton.LeftButton)
    assert "giới tính" in receive.message.text() and receive.id_number.hasFocus()
    assert search_dossiers(desk_ctx) == []

    # A damaged card scan: the message, and the fields stay as they were.
    typist(receive.email, "001090012345||Nguyễn Văn Dũng|31021990|Nam|Hà Nội|")
    qtbot.keyClick(receive.email, Qt.Key.Key_Return)
    assert "Ngày sinh «31021990»" in receive.message.text()
    assert receive.full_name.text() == "Đặng Thị Hằng" and receive.email.text() == ""

    # An unknown receipt scanned at the hand-back screen.
    window.go("hand_back")
    hand_back = window.desk.hand_back
    typist(hand_back.code, "000.00.12.H49-261126-0042")
    qtbot.keyClick(hand_back.code, Qt.Key.Key_Return)
    assert "Không tìm thấy hồ sơ mã 000.00.12.H49-261126-0042" in hand_back.message.text()
    assert not hand_back.confirm_button.isEnabled()
    qtbot.mouseClick(hand_back.confirm_button, Qt.MouseButton.LeftButton)
    assert "Không tìm thấy" in hand_back.message.text()  # a disabled button does nothing


def test_keyboard_screens_and_receive_tab_order(qtbot, window):
    desk = window.desk
    for key, screen, focus in (
        (Qt.Key.Key_F3, desk.search, desk.search.query),
        (Qt.Key.Key_F4, desk.hand_back, desk.hand_back.code),
        (Qt.Key.Key_F5, desk.today, None),
        (Qt.Key.Key_F9, desk.settings, None),
        (Qt.Key.Key_F2, desk.receive, desk.receive.procedure_search),
    ):
        qtbot.keyClick(window.focusWidget(), key)
        assert desk.currentWidget() is screen
        if focus is not None:
            assert focus.hasFocus()
    receive = desk.receive
    expected = [
        receive.id_number,
        receive.full_name,
        receive.date_of_birth,
        receive.gender,
        receive.address,
        receive.phone,
        receive.email,
        receive.documents,
    ]
    receive.procedure_search.setFocus()
    for widget in expected:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        assert window.focusWidget() is widget
    # Mnemonics: Alt+D jumps to the ID number, Alt+L to the reason.
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert receive.id_number.hasFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert receive.reason.hasFocus()


@pytest.mark.parametrize("mode", ["preview", "direct"])
def test_print_preview_and_direct_printing(qtbot, typist, window, desk_ctx, mode, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from counter_app.services import clerks, settings
    from counter_app.ui.printing import paint_pages

    admin = clerks.sign_in(desk_ctx, "quantri", "mat-khau-quan-tri")
    current = settings.load_settings(desk_ctx)
    current.print_mode = mode
    settings.save_settings(desk_ctx, current, acting=admin)
    receive = window.desk.receive
    fill_applicant(qtbot, typist, receive)
    qtbot.mouseClick(receive.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.printing.last_result is not None)
    result = window.printing.last_result
    assert len(result.pages) == 2  # the two copies of Form 01
    if mode == "preview":
        qtbot.waitUntil(lambda: window.printing.preview.isVisible())
        window.printing.preview.close()
    else:  # no printer on this machine: said in words, the PDF is kept
        assert "Không tìm thấy máy in" in receive.message.text()
    # What the printer gets: the service's pages, drawn by Qt (here into a PDF file).
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "qt.pdf"))
    paint_pages(printer, result.pages)
    import pypdfium2

    assert len(pypdfium2.PdfDocument(str(tmp_path / "qt.pdf"))) == 2


def test_register_book_of_the_day_is_printed_in_the_background(qtbot, typist, desk_ctx):
    # The register book is an export of personal data: supervisors and administrators only.
    window = open_window(qtbot, desk_ctx)
    sign_in(qtbot, window, "quantri", ADMIN_PASSWORD)
    receive = window.desk.receive
    fill_applicant(qtbot, typist, receive)
    qtbot.mouseClick(receive.save_button, Qt.MouseButton.LeftButton)
    window.go("today")
    today = window.desk.today
    assert today.tables["received_today"].rowCount() == 1
    qtbot.mouseClick(today.register_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.jobs.is_idle)
    assert pdfs(window, "so-theo-doi-*.pdf")
    window.jobs.wait()
    window.close()
