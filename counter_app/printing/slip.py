"""The 80 mm receipt slip for stations with a thermal receipt printer.

80 mm paper prints about 72 mm wide at 203 dpi (8 dots/mm). A Code 128 of a 25-character dossier
code is ~290 modules: across the paper it would need modules under 0.25 mm. So the barcode runs
down the left edge, 0.375 mm a module (3 printer dots exactly), with the details beside it.
The page is as long as its content.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from counter_app.printing.barcodes import QrCode, code128_width, draw_code128
from counter_app.printing.fonts import BOLD, REGULAR, register_fonts
from counter_app.printing.forms import duration_text, return_place
from counter_app.printing.layout import build_pdf, para, reprint_label, style
from counter_app.printing.model import Letterhead, PrintInfo
from counter_app.printing.text import markup, money, nfc, time_phrase

SLIP_WIDTH = 80 * mm
SLIP_MARGINS = {"top": 4 * mm, "bottom": 6 * mm, "left": 4 * mm, "right": 4 * mm}
SLIP_MODULE = 0.375 * mm
SLIP_BAR_HEIGHT = 13 * mm
SLIP_QR_SIZE = 30 * mm


class VerticalCode128(Flowable):
    """A Code 128 turned a quarter turn (reads bottom to top), its text along the bars."""

    def __init__(self, text: str, *, module: float, bar_height: float, font_size: float = 8):
        super().__init__()
        self.text = text
        self.module = module
        self.bar_height = bar_height
        self.font_size = font_size
        self.width = bar_height + font_size * 1.4
        self.height = code128_width(text, module)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        # Rotate +90°: the symbol's x axis runs up the page, its bars' height runs leftwards.
        canvas.translate(self.width, 0)
        canvas.rotate(90)
        draw_code128(canvas, self.text, 0, 0, module=self.module, height=self.bar_height)
        canvas.setFont(REGULAR, self.font_size)
        canvas.drawCentredString(
            self.height / 2, self.bar_height + self.font_size * 0.35, self.text
        )
        canvas.restoreState()


def _story(dossier: dict, office: Letterhead, info: PrintInfo, width: float) -> list[Flowable]:
    center_bold = style("s_cb", fontName=BOLD, fontSize=10, leading=12.5, alignment=TA_CENTER)
    center = style("s_c", fontSize=9.5, leading=11.5, alignment=TA_CENTER)
    body = style("s_b", fontSize=9.5, leading=11.5)
    label = style("s_l", fontName=BOLD, fontSize=10, leading=12.5, alignment=TA_CENTER)
    value = style("s_v", fontName=BOLD, fontSize=11.5, leading=14, alignment=TA_CENTER)
    small = style("s_s", fontSize=8.5, leading=10, alignment=TA_CENTER)

    story: list[Flowable] = []
    mark = reprint_label(info.reprint)
    if mark:
        story.append(para(f"<b>{markup(mark)}</b>", center))
    if office.governing_agency:
        story.append(para(markup(nfc(office.governing_agency).upper()), center))
    story.append(para(markup(nfc(office.unit_name).upper()), center_bold))
    story.append(Spacer(1, 1.5 * mm))
    story.append(para("GIẤY TIẾP NHẬN HỒ SƠ<br/>VÀ HẸN TRẢ KẾT QUẢ", center_bold))
    story.append(para(f"Mã hồ sơ: <b>{markup(dossier['code'])}</b>", center))
    story.append(Spacer(1, 2 * mm))

    a, p = dossier["applicant"], dossier["procedure"]
    details: list[Flowable] = [
        para("HẸN TRẢ KẾT QUẢ", label),
        para(time_phrase(dossier["appointment_at"]).replace(", ngày", ",<br/>ngày"), value),
        Spacer(1, 2 * mm),
        para(f"Người nộp: <b>{markup(a['full_name'])}</b>", body),
        para(f"Thủ tục: {markup(p['name'])}", body),
        para(f"Thời hạn: {markup(duration_text(p.get('duration')))}", body),
        para(f"Số bộ hồ sơ: {int(dossier.get('sets') or 1):02d}", body),
        para(f"Tiếp nhận: {time_phrase(dossier['received_at'])}", body),
        para(f"Nhận kết quả: {markup(return_place(dossier, office))}", body),
    ]
    if dossier.get("fee"):
        details.append(para(f"Phí, lệ phí: {money(int(dossier['fee']))}", body))
    if info.clerk_name:
        details.append(para(f"Người tiếp nhận: {markup(info.clerk_name)}", body))
    details += [
        Spacer(1, 2 * mm),
        QrCode(info.lookup_text(dossier["code"]), SLIP_QR_SIZE),
        para("Quét để tra cứu hồ sơ", small),
    ]
    if office.hotline:
        details.append(para(f"Đường dây nóng: {markup(office.hotline)}", small))
    barcode = VerticalCode128(dossier["code"], module=SLIP_MODULE, bar_height=SLIP_BAR_HEIGHT)
    gap = 3 * mm
    table = Table(
        [[barcode, details]], colWidths=[barcode.width + gap, width - barcode.width - gap]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 2 * mm))
    story.append(para("Xin mang theo phiếu này khi đến nhận kết quả.", small))
    return story


def render_slip(dossier: dict, office: Letterhead, info: PrintInfo) -> bytes:
    """The receipt as one 80 mm wide page, as long as its content."""
    register_fonts()
    width = SLIP_WIDTH - SLIP_MARGINS["left"] - SLIP_MARGINS["right"]
    story = _story(dossier, office, info, width)
    height = sum(flowable.wrap(width, 10_000)[1] for flowable in story)
    height += sum(f.getSpaceBefore() + f.getSpaceAfter() for f in story)
    page_height = height + SLIP_MARGINS["top"] + SLIP_MARGINS["bottom"] + 2 * mm
    story = _story(dossier, office, info, width)  # flowables are laid out once only
    return build_pdf(
        story,
        title=f"Giấy tiếp nhận hồ sơ {dossier['code']} (khổ 80 mm)",
        author=office.unit_name,
        pagesize=(SLIP_WIDTH, page_height),
        margins=SLIP_MARGINS,
        reprint=0,  # the slip carries its reprint mark in its first line
    )


__all__ = ["SLIP_WIDTH", "render_slip"]
