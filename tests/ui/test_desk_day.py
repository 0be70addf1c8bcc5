"""A clerk's whole day through the real widgets: receive with a scanned ID card (printed to a
PDF), search without diacritics, scan the receipt, hand back, rate."""

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt

from counter_app.services.search import search_dossiers

CARD = "001090012345||Nguyễn Văn Dũng|17051990|Nam|Thôn Đông, xã Tân Lập, Hà Nội|01012021"


def choose_procedure(qtbot, typist, receive, text: str) -> None:
    typist(receive.procedure_search, text)
    qtbot.keyClick(receive.procedure_search, Qt.Key.Key_Return)
    assert receive.chosen is not None


def printed(window, pattern: str) -> list[Path]:
    window.jobs.wait()
    return sorted(Path(window.printing_folder()).glob(pattern))


def test_the_day_of_a_clerk(qtbot, typist, window, desk_ctx, clock):
    ctx = desk_ctx
    receive = window.desk.receive
    assert window.desk.currentWidget() is receive and receive.procedure_search.hasFocus()

    # The procedure, by part of its name typed without diacritics; ↓ picks the next one.
    typist(receive.procedure_search, "thu")
    qtbot.keyClick(receive.procedure_search, Qt.Key.Key_Down)
    assert receive.procedure_list.currentRow() == 1
    receive.procedure_search.clear()
    choose_procedure(qtbot, typist, receive, "ket hon (thu")
    assert receive.chosen.code == "T.WD3"
    assert receive.documents.rowCount() == 2
    # Received Thu 26/11/2026 09:00 + 3 working days: Tue 01/12 09:00, shown before saving.
    assert "09:00 Thứ Ba 01/12/2026" in receive.appointment.text()
    clock.now += timedelta(minutes=30)
    receive.update_appointment()
    assert "09:30 Thứ Ba 01/12/2026" in receive.appointment.text()

    # The ID card's QR code, scanned while the focus is in the phone field.
    assert receive.id_number.hasFocus()
    typist(receive.phone, "09")
    typist(receive.phone, CARD)
    qtbot.keyClick(receive.phone, Qt.Key.Key_Return)
    assert receive.full_name.text() == "Nguyễn Văn Dũng"
    assert receive.id_number.text() == "001090012345"
    assert receive.date_of_birth.text() == "17/05/1990"
    assert receive.gender.currentText() == "Nam"
    assert receive.address.text() == "Thôn Đông, xã Tân Lập, Hà Nội"
    assert receive.phone.text() == "09"  # the payload did not land in the field
    assert receive.phone.hasFocus()
    typist(receive.phone, "12345678")

    # Save (Ctrl+S) -> registered, Form 01 printed to a PDF in the background.
    qtbot.keyClick(receive.phone, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    [dossier] = search_dossiers(ctx)
    code = dossier["code"]
    assert code == "000.00.12.H49-261126-0001"
    assert dossier["applicant"]["phone"] == "0912345678"
    assert dossier["appointment_at"] == "2026-12-01T09:30:00+07:00"
    assert code in receive.message.text()
    assert receive.full_name.text() == "" and receive.procedure_search.hasFocus()
    qtbot.waitUntil(window.jobs.is_idle)
    [pdf] = printed(window, f"{code}-mau01-*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Đã in Giấy tiếp nhận" in receive.message.text()

    # Search, without diacritics (F3).
    qtbot.keyClick(receive.procedure_search, Qt.Key.Key_F3)
    search = window.desk.search
    assert window.desk.currentWidget() is search and search.query.hasFocus()
    typist(search.query, "nguyen van dung")
    qtbot.keyClick(search.query, Qt.Key.Key_Return)
    assert search.results.rowCount() == 1
    assert search.results.item(0, 1).text() == "Nguyễn Văn Dũng"
    search.results.setFocus()
    qtbot.keyClick(search.results, Qt.Key.Key_Return)
    detail = window.desk.detail
    assert window.desk.currentWidget() is detail and detail.title.text() == f"Hồ sơ {code}"
    assert not detail.hand_back_button.isEnabled()

    # The commune's processing agency finishes; the clerk records it on the dossier.
    clock.now += timedelta(days=4)
    detail.agency_step.setCurrentIndex(detail.agency_step.findData("result_ready"))
    qtbot.mouseClick(detail.agency_button, Qt.MouseButton.LeftButton)
    assert detail.status.text() == "Có kết quả, chờ trả"

    # Today (F5): waiting to be handed back.
    qtbot.keyClick(detail, Qt.Key.Key_F5)
    today = window.desk.today
    assert today.tables["waiting_hand_back"].rowCount() == 1
    assert "(1)" in today.boxes["waiting_hand_back"].title()

    # Hand back (F4): the citizen's receipt is scanned into the code field.
    qtbot.keyClick(today, Qt.Key.Key_F4)
    hand_back = window.desk.hand_back
    assert hand_back.code.hasFocus()
    typist(hand_back.code, code)
    qtbot.keyClick(hand_back.code, Qt.Key.Key_Return)
    assert hand_back.dossier["code"] == code and hand_back.confirm_button.isEnabled()
    assert hand_back.collected_by.text() == "Nguyễn Văn Dũng"
    hand_back.collected_by.clear()
    typist(hand_back.collected_by, "Trần Thị Bình")
    qtbot.keyClick(hand_back.collected_by, Qt.Key.Key_Return)
    assert search_dossiers(ctx)[0]["status"] == "returned"

    # The rating, on the window turned to the citizen: a reason is required for "not satisfied".
    dialog = window.rating_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.buttons["dissatisfied"], Qt.MouseButton.LeftButton)
    assert dialog.reason.isVisible()
    qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    assert "lý do" in dialog.message.text()
    assert dialog.isVisible()
    typist(dialog.reason, "Phải chờ lâu")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert "KHÔNG HÀI LÒNG" in hand_back.message.text()

    # Scanning the receipt anywhere else opens the dossier, with its history and rating.
    window.go("today")
    today.tables["received_today"].setFocus()
    typist(today.tables["received_today"], code)
    qtbot.keyClick(today.tables["received_today"], Qt.Key.Key_Return)
    assert window.desk.currentWidget() is detail
    assert detail.fields["rating"].text() == "KHÔNG HÀI LÒNG — Phải chờ lâu"
    history = detail.history
    statuses = [history.topLevelItem(i).text(1) for i in range(history.topLevelItemCount())]
    assert statuses == ["Đã tiếp nhận", "Có kết quả, chờ trả", "Đã trả kết quả"]
    assert "Trần Thị Bình" in detail.history.topLevelItem(2).text(2)

    # Reprint Form 01 from the dossier: a second PDF, marked as a reprint by the service.
    qtbot.mouseClick(detail.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.jobs.is_idle)
    assert len(printed(window, f"{code}-mau01-*.pdf")) >= 1
    assert "bản in lại lần 1" in detail.message.text()
