"""Finding dossiers: by code, ID number, phone, or a name typed without diacritics."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select, text

from counter_app.domain.dossier_code import parse_dossier_code
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Status, is_open
from counter_app.domain.text import clean, fold
from counter_app.models import Dossier, Procedure
from counter_app.services.context import Context
from counter_app.services.dossier_view import dossier_to_dict
from counter_app.services.transitions import load_dossier

_TOKEN = re.compile(r"[a-z0-9]+")


def name_match_expression(query: str) -> str | None:
    """An FTS5 query: every folded word of the query as a prefix ("dang" finds "Đặng Thị...")."""
    tokens = _TOKEN.findall(fold(query))
    return " ".join(f'"{t}"*' for t in tokens) or None


def _query_condition(query: str):
    """The WHERE clause for a typed query (code, ID number, phone, name), None for "no match"."""
    digits = re.sub(r"[\s.\-+]", "", query)
    try:
        code = parse_dossier_code(query).code
    except InvalidInput:
        code = None
    if code is not None:
        return Dossier.code == code
    if digits.isdigit():
        phone = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
        return or_(
            Dossier.applicant_id_number == digits,
            Dossier.applicant_phone == phone,
            Dossier.code.endswith(f"-{digits}") if len(digits) == 4 else False,
        )
    if "-" in query or "." in query:
        return Dossier.code.contains(query)
    expression = name_match_expression(query)
    if expression is None:
        return None
    return Dossier.id.in_(
        select(text("rowid"))
        .select_from(text("dossier_search"))
        .where(text("dossier_search MATCH :match").bindparams(match=expression))
    )


def find_dossiers(ctx: Context, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    query = clean(query)
    if not query:
        raise InvalidInput(
            "Nhập mã hồ sơ, số giấy tờ, số điện thoại hoặc họ tên để tìm.", field="query"
        )
    return search_dossiers(ctx, query, limit=limit)


# Statuses in which the processing clock runs: past the appointment, such a dossier is late.
LATE_STATUSES = (int(Status.RECEIVED), int(Status.PROCESSING))
OPEN_STATUSES = tuple(int(s) for s in Status if is_open(s))


def search_dossiers(
    ctx: Context,
    query: str = "",
    *,
    statuses: tuple[int, ...] | list[int] | None = None,
    due_today: bool = False,
    overdue: bool = False,
    received_from: date | None = None,
    received_to: date | None = None,
    procedure_code: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The search screen: an optional typed query and filters, all combined (AND), newest first.

    `due_today`: an open dossier whose appointment falls on today's office date. `overdue`: the
    appointment has passed while the clock still runs (received or processing). Dates are
    office dates, both ends included.
    """
    query = clean(query)
    conditions = []
    if query:
        condition = _query_condition(query)
        if condition is None:
            return []
        conditions.append(condition)
    if statuses:
        conditions.append(Dossier.status.in_([int(s) for s in statuses]))
    now = ctx.now().astimezone(OFFICE_TZ)
    if due_today:
        start = datetime.combine(now.date(), time(0), OFFICE_TZ)
        conditions += [
            Dossier.appointment_at >= start,
            Dossier.appointment_at < start + timedelta(days=1),
            Dossier.status.in_(OPEN_STATUSES),
        ]
    if overdue:
        conditions += [Dossier.appointment_at < now, Dossier.status.in_(LATE_STATUSES)]
    if received_from is not None:
        conditions.append(Dossier.receipt_day >= received_from)
    if received_to is not None:
        conditions.append(Dossier.receipt_day <= received_to)
    if received_from and received_to and received_from > received_to:
        raise InvalidInput("Ngày «từ» phải trước ngày «đến».", field="received_from")
    if procedure_code:
        conditions.append(
            Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.code == procedure_code))
        )
    order = (Dossier.received_at.desc(), Dossier.id.desc())
    with ctx.db.read() as session:
        statement = select(Dossier).where(*conditions).order_by(*order).limit(limit)
        rows = session.scalars(statement).unique().all()
        return [dossier_to_dict(d) for d in rows]


def show_dossier(ctx: Context, code: str) -> dict[str, Any]:
    """A dossier with its history, its scans ("attachments") and its sync conflicts."""
    from counter_app.services.attachments import attachments_of
    from counter_app.services.dossier_view import mark_conflicts

    with ctx.db.read() as session:
        dossier = load_dossier(session, code)
        data = dossier_to_dict(dossier, history=True)
        data["attachments"] = attachments_of(session, dossier, ctx.data_dir)
        mark_conflicts(session, dossier, data)
        return data
