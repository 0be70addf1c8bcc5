"""Finding dossiers: by code, ID number, phone, or a name typed without diacritics."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select, text

from counter_app.domain.dossier_code import parse_dossier_code
from counter_app.domain.errors import InvalidInput
from counter_app.domain.text import clean, fold
from counter_app.models import Dossier
from counter_app.services.context import Context
from counter_app.services.dossier_view import dossier_to_dict
from counter_app.services.transitions import load_dossier

_TOKEN = re.compile(r"[a-z0-9]+")


def name_match_expression(query: str) -> str | None:
    """An FTS5 query: every folded word of the query as a prefix ("dang" finds "Đặng Thị...")."""
    tokens = _TOKEN.findall(fold(query))
    return " ".join(f'"{t}"*' for t in tokens) or None


def find_dossiers(ctx: Context, query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    query = clean(query)
    if not query:
        raise InvalidInput(
            "Nhập mã hồ sơ, số giấy tờ, số điện thoại hoặc họ tên để tìm.", field="query"
        )
    order = (Dossier.received_at.desc(), Dossier.id.desc())
    with ctx.db.read() as session:
        statement = select(Dossier)
        digits = re.sub(r"[\s.\-+]", "", query)
        try:
            code = parse_dossier_code(query).code
        except InvalidInput:
            code = None
        if code is not None:
            statement = statement.where(Dossier.code == code)
        elif digits.isdigit():
            phone = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
            statement = statement.where(
                or_(
                    Dossier.applicant_id_number == digits,
                    Dossier.applicant_phone == phone,
                    Dossier.code.endswith(f"-{digits}") if len(digits) == 4 else False,
                )
            )
        elif "-" in query or "." in query:
            statement = statement.where(Dossier.code.contains(query))
        else:
            expression = name_match_expression(query)
            if expression is None:
                return []
            statement = statement.where(
                Dossier.id.in_(
                    select(text("rowid"))
                    .select_from(text("dossier_search"))
                    .where(text("dossier_search MATCH :match"))
                )
            ).params(match=expression)
        rows = session.scalars(statement.order_by(*order).limit(limit)).unique().all()
        return [dossier_to_dict(d) for d in rows]


def show_dossier(ctx: Context, code: str) -> dict[str, Any]:
    with ctx.db.read() as session:
        return dossier_to_dict(load_dossier(session, code), history=True)
