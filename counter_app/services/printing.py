"""Printing the counter's papers: load the data, decide first print or reprint, audit, render.

Every print of a form for a dossier writes an audit row "print.formNN" (the 80 mm slip is a
layout of Form 01 and counts as one): the first print is the original, the Nth print after it
is marked "BẢN IN LẠI (lần N)". The row is written in the transaction that renders (and writes)
the file, so a print that fails leaves no trace and the next one is still the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.period import check_period
from counter_app.domain.status import Status
from counter_app.models import AuditEntry, Dossier
from counter_app.services.context import (
    Context,
    Office,
    get_setting,
    load_clerk,
    load_office,
    record,
)
from counter_app.services.dossier_view import dossier_to_dict
from counter_app.services.transitions import load_dossier

FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
}
LAYOUTS = ("a4", "slip80")
MAX_BOOK_DAYS = 366
# Statuses worth a word in the register's note column.
_NOTE_STATUSES = {
    Status.REFUSED,
    Status.WITHDRAWN,
    Status.STOPPED,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
}


@dataclass(frozen=True)
class Printed:
    """One printed paper: its PDF, and where it was written when asked."""

    code: str
    form: str
    layout: str
    reprint: int
    pdf: bytes
    path: Path | None = None

    def summary_vi(self) -> str:
        what = FORMS.get(self.form, "Sổ theo dõi hồ sơ")
        layout = " (khổ 80 mm)" if self.layout == "slip80" else ""
        again = f", bản in lại lần {self.reprint}" if self.reprint else ""
        where = f": {self.path}" if self.path else ""
        return f"Đã in {what}{layout} {self.code}{again}{where}"


def normalise_form(form: str | int | None) -> str:
    text = str(form if form is not None else "01").strip().lower().removeprefix("form")
    if text.isdigit() and f"{int(text):02d}" in FORMS:
        return f"{int(text):02d}"
    raise InvalidInput(
        f"Mẫu «{form}» không có; chọn một trong: {', '.join(FORMS)} "
        "(01 giấy tiếp nhận, 02 yêu cầu bổ sung, 03 từ chối, 04 xin lỗi, 05 phiếu kiểm soát).",
        field="form",
    )


def parse_office_datetime(text: str, field: str) -> datetime:
    """ "2026-12-03 15:00" (office time), or an ISO 8601 time with its offset."""
    value = (text or "").strip()
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise InvalidInput(
            f"«{value}» không phải thời điểm hợp lệ; ghi theo dạng YYYY-MM-DD HH:MM, "
            "ví dụ 2026-12-03 15:00.",
            field=field,
        ) from None
    return moment.replace(tzinfo=OFFICE_TZ) if moment.tzinfo is None else moment


def _letterhead(session: Session, office: Office):
    from counter_app.printing.model import Letterhead

    return Letterhead(
        unit_code=office.unit_code,
        unit_name=office.unit_name,
        governing_agency=office.governing_agency,
        place=office.place,
        station_number=office.station_number,
        hotline=str(get_setting(session, "hotline", "") or ""),
    )


def book_name(station: int, year: int) -> str:
    """One register book per station and year: "2026-Q0" (quầy 0)."""
    return f"{year}-Q{station}"


# (database file, station, day) -> (the station's dossiers of that year received before that
# day, the highest dossier id counted). See _received_before.
_COUNTED: dict[tuple[str, int, date], tuple[int, int]] = {}


def _received_before(session: Session, station: int, day: date) -> int:
    """The station's dossiers received from 1 January up to the day before `day`.

    A busy station has a hundred thousand of them by December: counted once per process and
    day, then only the dossiers saved since (ids above the last one counted; dossiers are never
    deleted, and one registered late for an earlier day still gets a new id) are added. A file
    whose highest id went down (a backup restored) is counted again.
    """
    key = (str(session.get_bind().url), station, day)
    top = session.scalar(select(func.max(Dossier.id))) or 0
    counted, seen = _COUNTED.get(key, (0, 0))
    if top < seen:
        counted, seen = 0, 0
    if top != seen:
        if seen:  # the rows saved since, by their ids (unary + keeps SQLite off other indexes)
            where = (
                "id > :seen AND id <= :top AND +station_number = :station "
                "AND +receipt_day >= :start AND +receipt_day < :day"
            )
        else:
            where = (
                "id <= :top AND station_number = :station "
                "AND receipt_day >= :start AND receipt_day < :day"
            )
        since = session.execute(
            text(f"SELECT count(*) FROM dossiers WHERE {where}"),
            {
                "seen": seen,
                "top": top,
                "station": station,
                "start": date(day.year, 1, 1).isoformat(),
                "day": day.isoformat(),
            },
        ).scalar()
        counted, seen = counted + int(since or 0), top
        _COUNTED[key] = (counted, seen)
    return counted


def book_position(session: Session, dossier: Dossier) -> tuple[str, int]:
    """The dossier's book and line: its rank among its station's dossiers of its year."""
    day, number = dossier.receipt_day, dossier.sequence_number
    that_day = session.scalar(
        select(func.count(Dossier.id)).where(
            Dossier.station_number == dossier.station_number,
            Dossier.receipt_day == day,
            Dossier.sequence_number <= number,
        )
    )
    before = _received_before(session, dossier.station_number, day) + int(that_day or 0)
    return book_name(dossier.station_number, day.year), before


def _layout(session: Session, form: str, slip: bool | None) -> str:
    if slip:
        if form != "01":
            raise InvalidInput(
                "Khổ 80 mm chỉ dùng cho giấy tiếp nhận hồ sơ (mẫu 01); các mẫu khác in khổ A4.",
                field="slip",
            )
        return "slip80"
    if form != "01" or slip is False:
        return "a4"
    layout = get_setting(session, "receipt_layout", "a4") or "a4"
    if layout not in LAYOUTS:
        raise InvalidInput(
            f"Cài đặt khổ giấy tiếp nhận «{layout}» không hợp lệ; chọn «a4» hoặc «slip80».",
            field="receipt_layout",
        )
    return layout


def _last_event(history: list[dict], status: str) -> dict | None:
    for event in reversed(history):
        if event["to_status"] == status:
            return event
    return None


def _clerk_name(session: Session, username: str | None, fallback: str) -> str:
    from counter_app.models import Clerk

    if username:
        clerk = session.scalars(select(Clerk).where(Clerk.username == username)).first()
        if clerk is not None:
            return clerk.full_name
    return fallback


def _render(
    session: Session,
    dossier: Dossier,
    data: dict,
    form: str,
    layout: str,
    info_args: dict[str, Any],
    office,
    new_appointment: datetime | None,
    reason: str | None,
) -> tuple[bytes, dict]:
    from counter_app.printing import forms
    from counter_app.printing.model import PrintInfo

    history = data["history"]
    details: dict[str, Any] = {}
    if form == "01":
        book, line = book_position(session, dossier)
        info = PrintInfo(
            **info_args, clerk_name=dossier.receiving_clerk.full_name, book=book, book_line=line
        )
        if layout == "slip80":
            from counter_app.printing.slip import render_slip

            return render_slip(data, office, info), details
        return forms.render_form01(data, office, info), details
    if form == "02":
        event = _last_event(history, "supplement_requested")
        if event is None:
            raise NotAllowed(
                f"Hồ sơ {dossier.code} chưa có yêu cầu bổ sung nào. Ghi nhận yêu cầu trước "
                f"(counter-app supplement request {dossier.code} --reason «giấy tờ còn thiếu, "
                "lý do»), rồi in mẫu 02."
            )
        info = PrintInfo(**info_args, clerk_name=_clerk_name(session, event["clerk"], ""))
        details = {"event": event["uuid"]}
        return forms.render_form02(
            data, office, info, requested_at=event["at"], reason=event["reason"]
        ), details
    if form == "03":
        event = _last_event(history, "refused")
        if event is None:
            raise NotAllowed(
                f"Hồ sơ {dossier.code} không bị từ chối tiếp nhận. Ghi nhận việc từ chối trước "
                f"(counter-app refuse {dossier.code} --reason «lý do»), rồi in mẫu 03."
            )
        info = PrintInfo(**info_args, clerk_name=_clerk_name(session, event["clerk"], ""))
        details = {"event": event["uuid"]}
        return forms.render_form03(
            data, office, info, refused_at=event["at"], reason=event["reason"]
        ), details
    if form == "04":
        original_text = (history[0].get("appointment_at") if history else None) or data[
            "appointment_at"
        ]
        original = datetime.fromisoformat(original_text)
        new, why = new_appointment, (reason or "").strip()
        if new is None:
            later = [
                e
                for e in history[1:]
                if e.get("appointment_at")
                and datetime.fromisoformat(e["appointment_at"]) > original
            ]
            if later:
                new = datetime.fromisoformat(later[-1]["appointment_at"])
                why = why or later[-1]["reason"]
        if new is None:
            raise NotAllowed(
                f"Hồ sơ {dossier.code} chưa có ngày hẹn mới: mẫu 04 cần ngày hẹn lại (sau ngày "
                f"hẹn ban đầu {original:%H:%M %d/%m/%Y}) và lý do chậm trễ. Ghi rõ bằng "
                "--new-appointment «YYYY-MM-DD HH:MM» --reason «lý do»."
            )
        if new <= original:
            raise InvalidInput(
                f"Ngày hẹn mới {new.astimezone(OFFICE_TZ):%H:%M %d/%m/%Y} phải sau ngày hẹn ban "
                f"đầu {original.astimezone(OFFICE_TZ):%H:%M %d/%m/%Y}.",
                field="new_appointment",
            )
        if not why:
            raise InvalidInput("Cần ghi lý do chậm trễ để in phiếu xin lỗi.", field="reason")
        info = PrintInfo(**info_args)
        details = {"original": original.isoformat(), "new": new.isoformat(), "reason": why}
        return forms.render_form04(
            data, office, info, original=original, new=new, reason=why
        ), details
    info = PrintInfo(**info_args)
    rows = forms.hand_offs_from_history(data, office)
    return forms.render_form05(data, office, info, rows), details


def print_form(
    ctx: Context,
    code: str,
    form: str | int = "01",
    *,
    out: Path | None = None,
    slip: bool | None = None,
    clerk: str | None = None,
    new_appointment: datetime | None = None,
    reason: str | None = None,
) -> Printed:
    """Print form 01-05 of a dossier; `slip` None follows the station's "receipt_layout".

    Form 04 takes its new appointment and reason from the arguments, else from the latest
    event of the history that moved the appointment later than the first one.
    """
    form = normalise_form(form)
    now = ctx.now()
    with ctx.db.write() as session:
        dossier = load_dossier(session, code)
        acting = load_clerk(session, clerk)
        layout = _layout(session, form, slip)
        office = _letterhead(session, load_office(session))
        action = f"print.form{form}"
        reprint = session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == action,
                AuditEntry.entity == "dossier",
                AuditEntry.entity_id == dossier.code,
            )
        )
        info_args = {
            "printed_at": now,
            "server_url": get_setting(session, "server_url") or None,
            "reprint": int(reprint or 0),
        }
        data = dossier_to_dict(dossier, history=True)
        pdf, details = _render(
            session, dossier, data, form, layout, info_args, office, new_appointment, reason
        )
        if out is not None:
            out = Path(out)
            out.write_bytes(pdf)
        record(
            session,
            now,
            clerk_id=acting.id,
            action=action,
            entity="dossier",
            entity_id=dossier.code,
            details={
                "form": form,
                "layout": layout,
                "reprint": info_args["reprint"],
                "file": str(out) if out else None,
            }
            | details,
        )
        return Printed(dossier.code, form, layout, info_args["reprint"], pdf, out)


def _first_at(dossier: Dossier, status: Status) -> datetime | None:
    for event in dossier.events:
        if event.to_status == status:
            return event.at
    return None


def register_book_rows(ctx: Context, date_from: date, date_to: date) -> tuple[Office, list]:
    """This station's dossiers received from `date_from` to `date_to` (office days, inclusive)."""
    from counter_app.printing.model import BookRow

    check_period(date_from, date_to, max_days=MAX_BOOK_DAYS, doing="in sổ cho")
    with ctx.db.read() as session:
        office = load_office(session)
        station = office.station_number
        dossiers = (
            session.scalars(
                select(Dossier)
                .where(
                    Dossier.station_number == station,
                    Dossier.receipt_day.between(date_from, date_to),
                )
                .order_by(Dossier.receipt_day, Dossier.sequence_number)
            )
            .unique()
            .all()
        )
        rows = []
        lines: dict[int, int] = {}
        for dossier in dossiers:
            year = dossier.receipt_day.year
            if year not in lines:
                lines[year] = book_position(session, dossier)[1] - 1
            lines[year] += 1
            status = Status(dossier.status)
            rows.append(
                BookRow(
                    line=lines[year],
                    code=dossier.code,
                    procedure=dossier.procedure.name,
                    sets=dossier.sets,
                    applicant=dossier.applicant_name,
                    address=dossier.applicant_address,
                    phone=dossier.applicant_phone,
                    agency=dossier.procedure.agency,
                    received_at=dossier.received_at,
                    appointment_at=dossier.appointment_at,
                    transferred_at=_first_at(dossier, Status.PROCESSING),
                    result_ready_at=_first_at(dossier, Status.RESULT_READY),
                    returned_at=_first_at(dossier, Status.RETURNED),
                    note=status.label_vi if status in _NOTE_STATUSES else "",
                )
            )
        return office, rows


def print_register_book(
    ctx: Context,
    date_from: date,
    date_to: date,
    *,
    out: Path | None = None,
    clerk: str | None = None,
) -> Printed:
    """The register of this station's dossiers for a date range (A4 landscape)."""
    from counter_app.printing.register_book import render_register_book

    _, pdf = make_register_book(
        ctx, date_from, date_to, render_register_book, out=out, clerk=clerk, action="print"
    )
    return Printed(f"{date_from:%d/%m/%Y}-{date_to:%d/%m/%Y}", "book", "a4", 0, pdf, out)


def make_register_book(
    ctx: Context,
    date_from: date,
    date_to: date,
    render,
    *,
    out: Path | None,
    clerk: str | None,
    action: str,
    details: dict | None = None,
) -> tuple[list, bytes]:
    """The register's rows for a period, made into a file by `render` (the PDF book or the Excel
    workbook), written to `out` and audited as "<action>.register_book".

    A bulk export of personal data (Decree 13/2023/NĐ-CP): supervisors and administrators only.
    """
    from counter_app.services.clerks import check_acting

    with ctx.db.read() as session:
        check_acting(
            session, clerk, "supervisor", "in hoặc xuất sổ theo dõi hồ sơ (dữ liệu cá nhân)"
        )
    office, rows = register_book_rows(ctx, date_from, date_to)
    now = ctx.now()
    years = sorted({r.received_at.astimezone(OFFICE_TZ).year for r in rows}) or [date_from.year]
    books = [book_name(office.station_number, y) for y in years]
    with ctx.db.write() as session:
        acting = load_clerk(session, clerk)
        data = render(
            rows,
            _letterhead(session, office),
            date_from=date_from,
            date_to=date_to,
            books=books,
            printed_at=now,
        )
        if out is not None:
            Path(out).write_bytes(data)
        record(
            session,
            now,
            clerk_id=acting.id,
            action=f"{action}.register_book",
            entity="register_book",
            entity_id=f"{date_from.isoformat()}/{date_to.isoformat()}",
            details={"dossiers": len(rows), "books": books, "file": str(out) if out else None}
            | (details or {}),
        )
    return rows, data
