"""The A4 forms: 01 receipt and appointment, 02 supplement request, 03 refusal, 04 apology,
05 control slip. Wording after the models of Circular 01/2018/TT-VPCP (public templates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from counter_app.domain.appointment import Duration
from counter_app.domain.errors import CounterError
from counter_app.domain.registration import ID_TYPES
from counter_app.printing.barcodes import Code128, QrCode
from counter_app.printing.fonts import BOLD, REGULAR, register_fonts
from counter_app.printing.layout import (
    A4_MARGINS,
    Styles,
    build_pdf,
    frame_width,
    grid_style,
    letterhead,
    para,
    signatures,
)
from counter_app.printing.model import HandOff, Letterhead, PrintInfo
from counter_app.printing.text import (
    date_phrase,
    markup,
    money,
    nfc,
    office_time,
    time_phrase,
    two_digits,
)

COPIES = ("Liên 1: Lưu tại Bộ phận Một cửa", "Liên 2: Giao người nộp hồ sơ")
A4_BARCODE_MODULE = 0.33 * mm  # 2.6 px at a 200 dpi scan, 7.8 dots on a 600 dpi laser
A4_QR_SIZE = 26 * mm
BODY_SIZES = (11.5, 11, 10.5, 10, 9.5, 9)
A4_FRAME_HEIGHT = A4[1] - A4_MARGINS["top"] - A4_MARGINS["bottom"] - 1


def duration_text(duration: Any) -> str:
    try:
        return Duration.from_dict(duration).describe_vi()
    except (CounterError, AttributeError, KeyError, TypeError, ValueError):
        return "……"


def return_place(dossier: dict, office: Letterhead) -> str:
    if dossier.get("return_method") == "post":
        address = dossier["applicant"].get("address") or "……"
        return f"Qua dịch vụ bưu chính công ích, tại địa chỉ: {address}"
    return f"Tại Bộ phận Một cửa {office.unit_name}"


def _salutation(applicant: dict) -> str:
    if applicant.get("kind", "citizen") != "citizen":
        return ""
    gender = applicant.get("gender") or ""
    return {"Nam": "Ông ", "Nữ": "Bà "}.get(gender, "Ông/Bà ")


def _applicant_lines(dossier: dict, styles: Styles) -> list[Flowable]:
    a = dossier["applicant"]
    name = f"{_salutation(a)}<b>{markup(a['full_name'])}</b>"
    lines = [para(f"Tiếp nhận hồ sơ của: {name}", styles.body)]
    if a.get("id_number"):
        id_label = ID_TYPES.get(a.get("id_type") or "cccd", "Số giấy tờ")
        lines.append(
            para(f"Số giấy tờ ({markup(id_label)}): {markup(a['id_number'])}", styles.body)
        )
    lines.append(para(f"Địa chỉ: {markup(a.get('address') or '……')}", styles.body))
    contact = f"Số điện thoại: {markup(a.get('phone') or '……')}"
    if a.get("email"):
        contact += f"        Email: {markup(a['email'])}"
    lines.append(para(contact, styles.body))
    return lines


def _procedure_line(dossier: dict, styles: Styles) -> Flowable:
    p = dossier["procedure"]
    return para(
        f"Nội dung yêu cầu giải quyết: <b>{markup(p['name'])}</b> (mã thủ tục {markup(p['code'])})",
        styles.body,
    )


def _documents_table(dossier: dict, width: float, styles: Styles) -> Table:
    head = ["TT", "Tên giấy tờ", "Bản chính", "Bản sao chứng thực", "Bản photo"]
    rows: list[list[Any]] = [[para(h, styles.cell_head) for h in head]]
    documents = [d for d in dossier.get("documents", []) if d.get("received", True)]
    for index, doc in enumerate(documents, start=1):
        rows.append(
            [
                para(str(index), styles.cell_center),
                para(markup(doc["name"]), styles.cell),
                para(str(doc.get("original", 0)), styles.cell_center),
                para(str(doc.get("certified_copy", 0)), styles.cell_center),
                para(str(doc.get("photocopy", 0)), styles.cell_center),
            ]
        )
    if not documents:
        rows.append(["", para("(không có giấy tờ kèm theo)", styles.cell), "", "", ""])
    narrow = 19 * mm
    columns = [10 * mm, width - 10 * mm - 3 * narrow, narrow, narrow, narrow]
    table = Table(rows, colWidths=columns, repeatRows=1)
    table.setStyle(TableStyle(grid_style()))
    return table


def _codes_block(dossier: dict, info: PrintInfo, width: float, styles: Styles) -> Table:
    """The appointment box above the Code 128 of the dossier code, the lookup QR code beside."""
    code = dossier["code"]
    qr_width = A4_QR_SIZE + 8 * mm
    left_width = width - qr_width - 3 * mm
    barcode = Code128(code, module=A4_BARCODE_MODULE, height=12 * mm, font_size=10)
    left = [_appointment_box(dossier["appointment_at"], left_width), Spacer(1, 3 * mm), barcode]
    qr_cell = [
        QrCode(info.lookup_text(code), A4_QR_SIZE),
        para("Quét để tra cứu hồ sơ", styles.small_center),
    ]
    table = Table([[left, qr_cell]], colWidths=[width - qr_width, qr_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (0, 0), "CENTER"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # else Table sets Helvetica
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _appointment_box(appointment: Any, width: float) -> Table:
    """The appointment, the most visible line after the title."""
    from counter_app.printing.layout import style

    label = style("appt_label", fontName=BOLD, fontSize=12, leading=15, alignment=1)
    value = style("appt_value", fontName=BOLD, fontSize=15, leading=19, alignment=1)
    table = Table(
        [[[para("HẸN TRẢ KẾT QUẢ", label), para(time_phrase(appointment), value)]]],
        colWidths=[width],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.4, (0, 0, 0)),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ]
        )
    )
    return table


def _title_block(title: str, dossier: dict, styles: Styles, copy: str = "") -> list[Flowable]:
    block: list[Flowable] = [
        Spacer(1, 5 * mm),
        para(markup(title), styles.title),
        Spacer(1, 1.5 * mm),
        para(f"Mã hồ sơ: <b>{markup(dossier['code'])}</b>", styles.center),
    ]
    if copy:
        block.append(para(f"({markup(copy)})", styles.center_italic))
    block.append(Spacer(1, 3 * mm))
    return block


def _footer_lines(office: Letterhead, info: PrintInfo, dossier: dict, styles: Styles):
    parts = []
    if info.server_url:
        parts.append(f"Tra cứu tình trạng hồ sơ: {markup(info.lookup_text(dossier['code']))}")
    if office.hotline:
        parts.append(f"Đường dây nóng: {markup(office.hotline)}")
    return [para(" — ".join(parts), styles.small)] if parts else []


# -- Form 01 ----------------------------------------------------------------------------------


def _form01_copy(
    dossier: dict, office: Letterhead, info: PrintInfo, copy: str, body_size: float = 11.5
) -> list[Flowable]:
    styles = Styles(body_size=body_size)
    width = frame_width()
    received = dossier["received_at"]
    story: list[Flowable] = [letterhead(office, office_time(received), width)]
    story += _title_block("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", dossier, styles, copy)
    story.append(_codes_block(dossier, info, width, styles))
    story.append(Spacer(1, 3 * mm))
    story.append(para(f"Bộ phận Một cửa {markup(office.unit_name)}", styles.body))
    story += _applicant_lines(dossier, styles)
    story.append(_procedure_line(dossier, styles))
    story.append(para("1. Hồ sơ gồm những giấy tờ sau:", styles.body))
    story.append(Spacer(1, 1 * mm))
    story.append(_documents_table(dossier, width, styles))
    story.append(Spacer(1, 1.5 * mm))
    items = [
        f"2. Số lượng hồ sơ: {two_digits(int(dossier.get('sets') or 1))} (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định: "
        f"{markup(duration_text(dossier['procedure'].get('duration')))}",
        f"4. Thời gian nhận hồ sơ: {time_phrase(received)}",
        "5. Thời gian trả kết quả giải quyết hồ sơ: "
        f"<b>{time_phrase(dossier['appointment_at'])}</b>",
        f"6. Đăng ký nhận kết quả: {markup(return_place(dossier, office))}",
    ]
    story += [para(item, styles.body) for item in items]
    if dossier.get("fee"):
        story.append(para(f"Phí, lệ phí: {money(int(dossier['fee']))}", styles.body))
    book = markup(info.book) if info.book else "……"
    line = str(info.book_line) if info.book_line else "……"
    story.append(para(f"Vào Sổ theo dõi hồ sơ, Quyển số: {book}, Số thứ tự: {line}", styles.body))
    story += _footer_lines(office, info, dossier, styles)
    story.append(Spacer(1, 3 * mm))
    story.append(
        signatures(
            [
                ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", dossier["applicant"]["full_name"]),
                ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", info.clerk_name),
            ],
            width,
            styles,
            space=(16 if body_size >= 11.5 else 13) * mm,
        )
    )
    return story


def _story_height(story: list[Flowable], width: float) -> float:
    return sum(f.wrap(width, A4_FRAME_HEIGHT)[1] + f.getSpaceBefore() for f in story)


def _body_size(dossier: dict, office: Letterhead, info: PrintInfo) -> tuple[float, list]:
    """The largest body size (down to 9 pt) at which one copy fits one page, and the first
    copy's story at that size (measured, then printed: built once).

    Both copies differ only by their one-line label, so one copy is measured. A list too long
    even at 9 pt flows on to a second page of the same copy: never shrunk as a whole, which
    would also shrink the barcode below what a scanner reads.
    """
    width = frame_width()
    for body_size in BODY_SIZES:
        story = _form01_copy(dossier, office, info, COPIES[0], body_size)
        if _story_height(story, width) <= A4_FRAME_HEIGHT:
            return body_size, story
    return BODY_SIZES[-1], story


def render_form01(dossier: dict, office: Letterhead, info: PrintInfo) -> bytes:
    """Form 01, two copies, each on its own A4 page."""
    register_fonts()
    body_size, story = _body_size(dossier, office, info)
    for copy in COPIES[1:]:
        story.append(PageBreak())
        story += _form01_copy(dossier, office, info, copy, body_size)
    return build_pdf(
        story,
        title=f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {dossier['code']}",
        author=office.unit_name,
        reprint=info.reprint,
    )


# -- Form 02 ----------------------------------------------------------------------------------


def render_form02(
    dossier: dict, office: Letterhead, info: PrintInfo, *, requested_at: Any, reason: str
) -> bytes:
    """Form 02: what the applicant must add or complete, and why."""
    register_fonts()
    styles = Styles(body_size=12)
    width = frame_width()
    story: list[Flowable] = [letterhead(office, office_time(requested_at), width)]
    story += _title_block("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", dossier, styles)
    story += _applicant_lines(dossier, styles)
    story.append(_procedure_line(dossier, styles))
    story.append(
        para(
            f"Ngày nhận hồ sơ: {markup(date_phrase(office_time(dossier['received_at'])))}.",
            styles.body,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(
        para(
            "Sau khi xem xét, đối chiếu với quy định của thủ tục hành chính, hồ sơ chưa đầy đủ, "
            "hợp lệ. Đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            styles.body,
        )
    )
    missing = [d for d in dossier.get("documents", []) if not d.get("received", True)]
    for number, doc in enumerate(missing, start=1):
        story.append(para(f"{number}. {markup(doc['name'])}", styles.body))
    story.append(
        para(f"Nội dung cần bổ sung, hoàn thiện và lý do: <b>{markup(reason)}</b>", styles.body)
    )
    story.append(Spacer(1, 2 * mm))
    contact = "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ Bộ phận Một cửa "
    contact += markup(office.unit_name)
    if office.hotline:
        contact += f", số điện thoại {markup(office.hotline)}"
    story.append(para(contact + " để được hướng dẫn.", styles.body))
    story.append(
        para("Thời gian chờ bổ sung không tính vào thời hạn giải quyết hồ sơ.", styles.body)
    )
    return _notice_pdf(
        story, dossier, office, info, styles, width,
        clerk_role="NGƯỜI HƯỚNG DẪN",
        title=f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {dossier['code']}",
    )  # fmt: skip


def _notice_pdf(
    story: list[Flowable],
    dossier: dict,
    office: Letterhead,
    info: PrintInfo,
    styles: Styles,
    width: float,
    *,
    clerk_role: str,
    title: str,
) -> bytes:
    """The end of a notice to the applicant (Forms 02, 03): register line, both signatures."""
    story += _footer_lines(office, info, dossier, styles)
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            signatures(
                [
                    ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", dossier["applicant"]["full_name"]),
                    (clerk_role, "(Ký và ghi rõ họ tên)", info.clerk_name),
                ],
                width,
                styles,
            )
        )
    )
    return build_pdf(story, title=title, author=office.unit_name, reprint=info.reprint)


# -- Form 03 ----------------------------------------------------------------------------------


def render_form03(
    dossier: dict, office: Letterhead, info: PrintInfo, *, refused_at: Any, reason: str
) -> bytes:
    """Form 03: the refusal to receive the dossier, with its reason."""
    register_fonts()
    styles = Styles(body_size=12)
    width = frame_width()
    story: list[Flowable] = [letterhead(office, office_time(refused_at), width)]
    story += _title_block("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", dossier, styles)
    story.append(para(f"Bộ phận Một cửa {markup(office.unit_name)}", styles.body))
    story += _applicant_lines(dossier, styles)
    story.append(_procedure_line(dossier, styles))
    story.append(Spacer(1, 2 * mm))
    story.append(
        para(
            "Sau khi nghiên cứu, đối chiếu các quy định hiện hành, Bộ phận Một cửa "
            f"{markup(office.unit_name)} từ chối tiếp nhận hồ sơ này với lý do như sau:",
            styles.body,
        )
    )
    story.append(para(f"<b>{markup(reason)}</b>", styles.body))
    story.append(Spacer(1, 2 * mm))
    story.append(para("Xin thông báo để Ông/Bà được biết và thực hiện.", styles.body))
    return _notice_pdf(
        story, dossier, office, info, styles, width,
        clerk_role="NGƯỜI TIẾP NHẬN HỒ SƠ",
        title=f"Phiếu từ chối tiếp nhận giải quyết hồ sơ {dossier['code']}",
    )  # fmt: skip


# -- Form 04 ----------------------------------------------------------------------------------


def render_form04(
    dossier: dict,
    office: Letterhead,
    info: PrintInfo,
    *,
    original: Any,
    new: Any,
    reason: str,
) -> bytes:
    """Form 04: the apology for a late result, with the reason and the new appointment."""
    register_fonts()
    styles = Styles(body_size=12)
    width = frame_width()
    story: list[Flowable] = [letterhead(office, info.printed_at, width)]
    story += _title_block("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", dossier, styles)
    a = dossier["applicant"]
    agency = dossier["procedure"].get("agency") or office.unit_name
    received = office_time(dossier["received_at"])
    story.append(
        para(
            f"{markup(date_phrase(received)).capitalize()}, Bộ phận Một cửa "
            f"{markup(office.unit_name)} tiếp nhận giải quyết hồ sơ của "
            f"{_salutation(a)}<b>{markup(a['full_name'])}</b>.",
            styles.body,
        )
    )
    story.append(_procedure_line(dossier, styles))
    story.append(para(f"Thời hạn trả kết quả đã hẹn: <b>{time_phrase(original)}</b>.", styles.body))
    story.append(
        para(
            f"Tuy nhiên đến nay, {markup(agency)} chưa trả kết quả giải quyết hồ sơ của Ông/Bà "
            "đúng hạn.",
            styles.body,
        )
    )
    story.append(para(f"<b>Lý do:</b> {markup(reason)}", styles.body))
    story.append(
        para(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {markup(agency)} xin lỗi Ông/Bà "
            "và hẹn lại thời gian trả kết quả:",
            styles.body,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(_appointment_box(new, width))
    story.append(Spacer(1, 2 * mm))
    story.append(para("Rất mong nhận được sự thông cảm của Ông/Bà.", styles.body))
    story += _footer_lines(office, info, dossier, styles)
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            signatures(
                [
                    ("", "", ""),
                    (
                        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
                        "(Ký, ghi rõ họ tên và đóng dấu)",
                        "",
                    ),
                ],
                width,
                styles,
            )
        )
    )
    return build_pdf(
        story,
        title=f"Phiếu xin lỗi và hẹn lại ngày trả kết quả {dossier['code']}",
        author=office.unit_name,
        reprint=info.reprint,
    )


# -- Form 05 ----------------------------------------------------------------------------------


def timeliness(at: datetime | None, due: datetime | None) -> str:
    """Trước hạn (an earlier day), Đúng hạn (the due day, not after the time), Quá hạn."""
    if at is None or due is None:
        return ""
    at, due = office_time(at), office_time(due)
    if at > due:
        return "Quá hạn"
    if at.date() < due.date():
        return "Trước hạn"
    return "Đúng hạn"


def render_form05(
    dossier: dict, office: Letterhead, info: PrintInfo, hand_offs: list[HandOff]
) -> bytes:
    """Form 05: the control slip that follows the paper dossier, one row per hand-off."""
    register_fonts()
    styles = Styles(body_size=12)
    width = frame_width()
    story: list[Flowable] = [letterhead(office, office_time(dossier["received_at"]), width)]
    story += _title_block("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", dossier, styles)
    story.append(
        para(
            f"Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả mã <b>{markup(dossier['code'])}</b>",
            styles.center_italic,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(
        para("Cơ quan, bộ phận tiếp nhận: Bộ phận Một cửa " + markup(office.unit_name), styles.body)
    )
    agency = dossier["procedure"].get("agency") or "……"
    story.append(para(f"Cơ quan, bộ phận giải quyết: {markup(agency)}", styles.body))
    a = dossier["applicant"]
    story.append(para(f"Người nộp hồ sơ: <b>{markup(a['full_name'])}</b>", styles.body))
    story.append(_procedure_line(dossier, styles))
    story.append(para(f"Thời gian nhận hồ sơ: {time_phrase(dossier['received_at'])}", styles.body))
    story.append(
        para(f"Thời gian trả kết quả: <b>{time_phrase(dossier['appointment_at'])}</b>", styles.body)
    )
    story.append(Spacer(1, 3 * mm))
    head = [
        "TÊN CƠ QUAN",
        "THỜI GIAN GIAO, NHẬN HỒ SƠ",
        "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/ Đúng hạn/ Quá hạn)",
        "GHI CHÚ",
    ]
    rows: list[list[Any]] = [[para(h, styles.cell_head) for h in head]]
    for number, step in enumerate(hand_offs, start=1):
        moment = time_phrase(step.at) if step.at else "…… giờ …… phút, ngày ……/……/……"
        rows.append(
            [
                para(
                    f"{number}. Giao: {markup(step.giver)}<br/>Nhận: {markup(step.receiver)}",
                    styles.cell,
                ),
                [
                    para(markup(moment), styles.cell),
                    Spacer(1, 2 * mm),
                    Table(
                        [
                            [
                                para("Người giao", styles.cell_center),
                                para("Người nhận", styles.cell_center),
                            ]
                        ],
                        colWidths=[22 * mm, 22 * mm],
                        style=[
                            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                            ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ],
                    ),
                    Spacer(1, 9 * mm),
                ],
                para(markup(timeliness(step.at, step.due)), styles.cell_center),
                para(markup(step.note), styles.cell),
            ]
        )
    columns = [48 * mm, 50 * mm, 35 * mm, width - 133 * mm]
    table = Table(rows, colWidths=columns, repeatRows=1)
    table.setStyle(TableStyle([*grid_style(), ("VALIGN", (0, 1), (-1, -1), "TOP")]))
    story.append(table)
    return build_pdf(
        story,
        title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ {dossier['code']}",
        author=office.unit_name,
        reprint=info.reprint,
    )


def hand_offs_from_history(dossier: dict, office: Letterhead) -> list[HandOff]:
    """The control slip's rows, filled from the status history where a step already happened.

    The counter hands the dossier to the processing agency (first "processing" event), the
    agency may ask for a supplement (and get it back), then hands the result to the counter
    ("result ready"), which returns it to the applicant. Steps not yet done stay blank, to be
    filled in by hand.
    """
    counter = f"Bộ phận Một cửa {nfc(office.unit_name)}"
    agency = nfc(dossier["procedure"].get("agency") or "Cơ quan giải quyết")
    applicant = nfc(dossier["applicant"]["full_name"])
    history = dossier.get("history") or []
    due = dossier.get("appointment_at")

    def first(status: str, after: int = 0) -> tuple[int, dict | None]:
        for index in range(after, len(history)):
            if history[index]["to_status"] == status:
                return index, history[index]
        return len(history), None

    rows: list[HandOff] = []
    _, transferred = first("processing")
    rows.append(HandOff(counter, agency, transferred and office_time(transferred["at"]), None))
    index = 0
    while True:
        index, request = first("supplement_requested", index)
        if request is None:
            break
        rows.append(
            HandOff(
                agency if request["side"] == "agency" else counter,
                applicant,
                office_time(request["at"]),
                None,
                f"Yêu cầu bổ sung: {request['reason']}",
            )
        )
        index += 1
        if index < len(history) and history[index]["from_status"] == "supplement_requested":
            back = history[index]
            rows.append(
                HandOff(applicant, counter, office_time(back["at"]), None, "Nộp hồ sơ bổ sung")
            )
    _, ready = first("result_ready")
    rows.append(HandOff(agency, counter, ready and office_time(ready["at"]), ready and due))
    _, returned = first("returned")
    rows.append(
        HandOff(
            counter,
            applicant,
            returned and office_time(returned["at"]),
            returned and due,
            (returned or {}).get("reason") or "",
        )
    )
    # Steps done in the order they happened, then the ones still to come.
    done = sorted((r for r in rows if r.at is not None), key=lambda r: r.at)
    return done + [r for r in rows if r.at is None]


__all__ = [
    "COPIES",
    "hand_offs_from_history",
    "render_form01",
    "render_form02",
    "render_form03",
    "render_form04",
    "render_form05",
]
