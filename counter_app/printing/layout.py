"""Shared page furniture: styles, the Decree 30/2020 letterhead, signatures, reprint mark."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from counter_app.printing.fonts import BOLD, ITALIC, REGULAR, register_fonts
from counter_app.printing.model import Letterhead
from counter_app.printing.text import markup, nfc, place_date_line

# Decree 30/2020/NĐ-CP: top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
A4_MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def style(name: str, **overrides) -> ParagraphStyle:
    base = {
        "fontName": REGULAR,
        "fontSize": 12,
        "leading": 15,
        "alignment": TA_LEFT,
        "spaceBefore": 0,
        "spaceAfter": 0,
    }
    base.update(overrides)
    return ParagraphStyle(name, **base)


class Styles:
    """The paragraph styles of the A4 forms (built after the fonts are registered)."""

    def __init__(self, body_size: float = 12) -> None:
        leading = body_size * 1.22
        self.body = style("body", fontSize=body_size, leading=leading, alignment=TA_JUSTIFY)
        self.body_left = style("body_left", fontSize=body_size, leading=leading)
        self.center = style("center", fontSize=body_size, leading=leading, alignment=TA_CENTER)
        self.center_bold = style(
            "center_bold", fontName=BOLD, fontSize=body_size, leading=leading, alignment=TA_CENTER
        )
        self.center_italic = style(
            "center_italic",
            fontName=ITALIC,
            fontSize=body_size,
            leading=leading,
            alignment=TA_CENTER,
        )
        self.title = style("title", fontName=BOLD, fontSize=14, leading=18, alignment=TA_CENTER)
        self.small = style("small", fontSize=9, leading=11)
        self.small_center = style("small_center", fontSize=9, leading=11, alignment=TA_CENTER)
        self.cell = style("cell", fontSize=body_size - 1, leading=(body_size - 1) * 1.2)
        self.cell_center = style(
            "cell_center",
            fontSize=body_size - 1,
            leading=(body_size - 1) * 1.2,
            alignment=TA_CENTER,
        )
        self.cell_head = style(
            "cell_head",
            fontName=BOLD,
            fontSize=body_size - 1,
            leading=(body_size - 1) * 1.2,
            alignment=TA_CENTER,
        )


def para(text: str, paragraph_style: ParagraphStyle) -> Paragraph:
    """A paragraph from markup made of our own NFC templates and `markup()`-escaped values."""
    return Paragraph(nfc(text), paragraph_style)


class CenteredRule(Flowable):
    """The short horizontal rule under the unit name and under the motto."""

    def __init__(self, width: float, thickness: float = 0.6) -> None:
        super().__init__()
        self.rule_width = width
        self.thickness = thickness

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = 6 + self.thickness
        return self.width, self.height

    def draw(self) -> None:
        left = (self.width - self.rule_width) / 2
        y = self.height - 3.5  # a little below the line of text above
        self.canv.setLineWidth(self.thickness)
        self.canv.line(left, y, left + self.rule_width, y)


def letterhead(office: Letterhead, day: date | datetime | None, width: float) -> Table:
    """Two columns: the issuing unit on the left, the national title and dated line on the right."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    left_width = width * 0.42
    right_width = width - left_width
    heading = style("heading", fontSize=12, leading=14.5, alignment=TA_CENTER)
    heading_bold = style(
        "heading_bold", fontName=BOLD, fontSize=12, leading=14.5, alignment=TA_CENTER
    )
    motto = style("motto", fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER)
    dated = style("dated", fontName=ITALIC, fontSize=12, leading=15, alignment=TA_CENTER)

    unit_name = nfc(office.unit_name).upper()
    left: list[Flowable] = []
    if office.governing_agency:
        left.append(para(markup(nfc(office.governing_agency).upper()), heading))
    left.append(para(markup(unit_name), heading_bold))
    left.append(CenteredRule(min(left_width * 0.4, 30 * mm)))
    right = [
        para(NATIONAL_TITLE, heading_bold),
        para(MOTTO, motto),
        CenteredRule(stringWidth(MOTTO, BOLD, 13)),
        Spacer(1, 5),
        para(markup(place_date_line(office.place, day)), dated),
    ]
    table = Table([[left, right]], colWidths=[left_width, right_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ]
        )
    )
    return table


def signatures(
    blocks: Sequence[tuple[str, str, str]], width: float, styles: Styles, *, space: float = 22 * mm
) -> Table:
    """Signature blocks side by side: (title, hint, printed name) each."""
    cells = []
    for title, hint, name in blocks:
        cell: list[Flowable] = [para(markup(title), styles.center_bold)]
        if hint:
            cell.append(para(markup(hint), styles.center_italic))
        cell.append(Spacer(1, space))
        cell.append(para(markup(name) if name else "", styles.center_bold))
        cells.append(cell)
    table = Table([cells], colWidths=[width / len(blocks)] * len(blocks))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ]
        )
    )
    return table


def grid_style(font_size: float = 11) -> list[tuple]:
    return [
        ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]


def reprint_label(reprint: int) -> str:
    return f"BẢN IN LẠI (lần {reprint})" if reprint > 0 else ""


def draw_reprint_mark(canvas, reprint: int, page_width: float, page_height: float) -> None:
    """A boxed "BẢN IN LẠI (lần N)" in the top margin, right-aligned."""
    label = reprint_label(reprint)
    if not label:
        return
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = 11
    text_width = stringWidth(label, BOLD, size)
    right = page_width - A4_MARGINS["right"] if page_width > 100 * mm else page_width - 3 * mm
    top = page_height - 7 * mm if page_width > 100 * mm else page_height - 3 * mm
    canvas.saveState()
    canvas.setLineWidth(0.8)
    canvas.rect(right - text_width - 8, top - size - 5, text_width + 8, size + 6)
    canvas.setFont(BOLD, size)
    canvas.drawRightString(right - 4, top - size - 1.5, label)
    canvas.restoreState()


PageDecorator = Callable[[object, object], None]


def build_pdf(
    story: list[Flowable],
    *,
    title: str,
    author: str,
    pagesize: tuple[float, float] = A4,
    margins: dict[str, float] | None = None,
    reprint: int = 0,
    decorate: PageDecorator | None = None,
) -> bytes:
    """Lay the story out on pages and return the PDF (fonts embedded, no Helvetica)."""
    register_fonts()
    margins = margins or A4_MARGINS
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=margins["left"],
        rightMargin=margins["right"],
        topMargin=margins["top"],
        bottomMargin=margins["bottom"],
        title=nfc(title),
        author=nfc(author),
        creator="Quầy Một Cửa",
        subject=nfc(title),
        invariant=1,
        initialFontName=REGULAR,
        initialFontSize=12,
    )
    frame = Frame(
        margins["left"],
        margins["bottom"],
        pagesize[0] - margins["left"] - margins["right"],
        pagesize[1] - margins["top"] - margins["bottom"],
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def on_page(canvas, doc) -> None:
        canvas.setFont(REGULAR, 12)
        draw_reprint_mark(canvas, reprint, pagesize[0], pagesize[1])
        if decorate is not None:
            decorate(canvas, doc)

    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    document.build(story)
    return buffer.getvalue()


def frame_width(pagesize: tuple[float, float] = A4, margins: dict[str, float] | None = None):
    margins = margins or A4_MARGINS
    return pagesize[0] - margins["left"] - margins["right"]
