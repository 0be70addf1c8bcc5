"""Finding dossiers: by code, ID number, phone, or a name typed without diacritics."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from counter_app.domain.dossier_code import parse_dossier_code
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Status, is_open
from counter_app.domain.text import clean, fold
from counter_app.services.context import Context
from counter_app.services.dossier_view import dossier_to_dict
from counter_app.services.transitions import load_dossier

_TOKEN = re.compile(r"[a-z0-9]+")


def name_match_expression(query: str) -> str | None:
    """An FTS5 query: every folded word of the query as a prefix ("dang" finds "Đặng Thị...")."""
    tokens = _TOKEN.findall(fold(query))
    return " ".join(f'"{t}"*' for t in tokens) or None


def _query_condition(query: str) -> tuple[str, dict[str, Any]] | None:
    """The SQL condition for a typed query (code, ID number, phone, name) and its parameters,
    None for "no match". A name is answered by the FTS5 index (`:match`, see `_rows`)."""
    digits = re.sub(r"[\s.\-+]", "", query)
    try:
        code = parse_dossier_code(query).code
    except InvalidInput:
        code = None
    if code is not None:
        return "d.code = :code", {"code": code}
    if digits.isdigit():
        phone = "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
        condition = "d.applicant_id_number = :digits"
        params: dict[str, Any] = {"digits": digits}
        if len(phone) in (10, 11) and phone.startswith("0"):  # as parse_phone stores them
            condition += " OR d.applicant_phone = :phone"
            params["phone"] = phone
        if len(digits) == 4:  # the day's number printed last in the code
            condition += " OR d.code LIKE :suffix"
            params["suffix"] = f"%-{digits}"
        return f"({condition})", params
    if "-" in query or "." in query:
        return "d.code LIKE :part", {"part": f"%{query}%"}
    expression = name_match_expression(query)
    if expression is None:
        return None
    return "dossier_search MATCH :match", {"match": expression}


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
    conditions: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if query:
        condition = _query_condition(query)
        if condition is None:
            return []
        conditions.append(condition[0])
        params |= condition[1]

    def among(name: str, values) -> str:
        keys = [f"{name}{i}" for i in range(len(values))]
        params.update(zip(keys, (int(v) for v in values), strict=True))
        return f"({', '.join(':' + k for k in keys)})"

    if statuses:
        conditions.append(f"d.status IN {among('status', statuses)}")
    now = ctx.now().astimezone(OFFICE_TZ)
    if due_today:
        start = datetime.combine(now.date(), time(0), OFFICE_TZ)
        conditions.append(
            f"d.appointment_at >= :due_from AND d.appointment_at < :due_to "
            f"AND d.status IN {among('open', OPEN_STATUSES)}"
        )
        params |= {"due_from": _utc(start), "due_to": _utc(start + timedelta(days=1))}
    if overdue:
        conditions.append(f"d.appointment_at < :now AND d.status IN {among('late', LATE_STATUSES)}")
        params["now"] = _utc(now)
    if received_from is not None:
        conditions.append("d.receipt_day >= :received_from")
        params["received_from"] = received_from.isoformat()
    if received_to is not None:
        conditions.append("d.receipt_day <= :received_to")
        params["received_to"] = received_to.isoformat()
    if received_from and received_to and received_from > received_to:
        raise InvalidInput("Ngày «từ» phải trước ngày «đến».", field="received_from")
    if procedure_code:
        conditions.append("d.procedure_id IN (SELECT id FROM procedures WHERE code = :procedure)")
        params["procedure"] = procedure_code
    with ctx.db.read() as session:
        connection = session.connection().connection.driver_connection
        return _rows(connection, conditions, params, by_name="match" in params)


def _utc(moment: datetime) -> str:
    """A moment as the dossier columns store it (models.base.UTCDateTime)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_COLUMNS = (
    "d.id, d.code, d.uuid, d.status, d.received_at, d.appointment_at, d.station_number, "
    "d.procedure_id, d.applicant_kind, d.applicant_name, d.applicant_id_type, "
    "d.applicant_id_number, d.applicant_date_of_birth, d.applicant_gender, d.applicant_address, "
    "d.applicant_phone, d.applicant_email, d.sets, d.channel, d.return_method, d.fee, "
    "c.username"
)


def _rows(connection, conditions: list[str], params: dict, *, by_name: bool) -> list[dict]:
    """The search screen's rows in the one outside shape (dossier_view.dossier_to_dict), read
    with three plain statements instead of ORM objects: a lookup by code or ID number costs a
    fraction of a millisecond even with a million dossiers.

    Newest first. A name is looked up in the FTS5 index newest row first (descending rowid: the
    order dossiers were saved here) and stops at `limit` matches, instead of collecting every
    match of a common name ("nguyen": a third of the dossiers) to sort them by receipt time;
    the rows kept are then ordered by receipt time.
    """
    where = " AND ".join(conditions) or "1"
    if by_name:
        statement = (
            f"SELECT * FROM (SELECT {_COLUMNS} FROM dossier_search "
            "JOIN dossiers d ON d.id = dossier_search.rowid "
            f"JOIN clerks c ON c.id = d.receiving_clerk_id WHERE {where} "
            "ORDER BY dossier_search.rowid DESC LIMIT :limit) "
            "ORDER BY received_at DESC, id DESC"
        )
    else:
        statement = (
            f"SELECT {_COLUMNS} FROM dossiers d JOIN clerks c ON c.id = d.receiving_clerk_id "
            f"WHERE {where} ORDER BY d.received_at DESC, d.id DESC LIMIT :limit"
        )
    rows = connection.execute(statement, params).fetchall()
    if not rows:
        return []
    ids = ", ".join(str(r[0]) for r in rows)
    documents: dict[int, list[SimpleNamespace]] = {}
    for dossier_id, *document in connection.execute(
        "SELECT dossier_id, name, originals, certified_copies, photocopies, received "
        f"FROM dossier_documents WHERE dossier_id IN ({ids}) ORDER BY dossier_id, position"
    ):
        documents.setdefault(dossier_id, []).append(_document(*document))
    procedures = {
        p[0]: SimpleNamespace(
            code=p[1], version=p[2], name=p[3], sector=p[4], agency=p[5], duration=json.loads(p[6])
        )
        for p in connection.execute(
            "SELECT id, code, version, name, sector, agency, duration FROM procedures "
            f"WHERE id IN ({', '.join(str(i) for i in {r[7] for r in rows})})"
        )
    }
    return [_row_to_dict(row, procedures, documents.get(row[0], [])) for row in rows]


def _document(name, originals, certified_copies, photocopies, received) -> SimpleNamespace:
    return SimpleNamespace(
        name=name,
        originals=originals,
        certified_copies=certified_copies,
        photocopies=photocopies,
        received=bool(received),
    )


def _row_to_dict(row: tuple, procedures: dict, documents: list) -> dict[str, Any]:
    (_id, code, uuid, status, received_at, appointment_at, station, procedure_id, kind, name,
     id_type, id_number, born, gender, address, phone, email, sets, channel, return_method, fee,
     clerk) = row  # fmt: skip
    dossier = SimpleNamespace(
        code=code,
        uuid=uuid,
        status=status,
        received_at=datetime.fromisoformat(received_at),
        appointment_at=datetime.fromisoformat(appointment_at),
        station_number=station,
        procedure=procedures[procedure_id],
        applicant_kind=kind,
        applicant_name=name,
        applicant_id_type=id_type,
        applicant_id_number=id_number,
        applicant_date_of_birth=date.fromisoformat(born) if born else None,
        applicant_gender=gender,
        applicant_address=address,
        applicant_phone=phone,
        applicant_email=email,
        documents=documents,
        sets=sets,
        channel=channel,
        return_method=return_method,
        fee=fee,
        receiving_clerk=SimpleNamespace(username=clerk),
    )
    return dossier_to_dict(dossier)


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
