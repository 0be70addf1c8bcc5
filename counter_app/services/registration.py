"""Registering a dossier: validate, number, compute the appointment, save, in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select

from counter_app.domain.appointment import Duration, compute_appointment
from counter_app.domain.dossier_code import (
    format_dossier_code,
    next_sequence_number,
    station_number_range,
)
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.registration import DocumentInput, RegistrationInput, parse_registration
from counter_app.domain.status import Side, Status, check_transition
from counter_app.models import Clerk, Dossier, DossierDocument, Procedure, StatusEvent
from counter_app.services.context import (
    Context,
    acting_clerk_id,
    load_office,
    new_uuid,
    record,
)
from counter_app.services.dossier_view import dossier_to_dict, office_iso
from counter_app.services.transitions import append_transition

# Statements built once per process (their compiled form is cached by SQLAlchemy).
_PROCEDURE = select(
    Procedure.id,
    Procedure.code,
    Procedure.version,
    Procedure.name,
    Procedure.sector,
    Procedure.agency,
    Procedure.duration,
    Procedure.fee,
    Procedure.documents,
).where(Procedure.code == bindparam("code"), Procedure.is_current)
_LAST_NUMBER = select(func.max(Dossier.sequence_number)).where(
    Dossier.receipt_day == bindparam("day"),
    Dossier.sequence_number.between(bindparam("low"), bindparam("high")),
)
_INSERT_DOSSIER = Dossier.__table__.insert()
_INSERT_DOCUMENT = DossierDocument.__table__.insert()
_INSERT_EVENT = StatusEvent.__table__.insert()


def _documents(request: RegistrationInput, procedure_documents: list[dict]) -> list[DocumentInput]:
    if request.documents is not None:
        return list(request.documents)
    return [
        DocumentInput(
            name=d["name"], original=d.get("original", 0), certified_copy=d.get("copy", 0)
        )
        for d in procedure_documents
    ]


def register_dossier(
    ctx: Context,
    data: Any,
    *,
    clerk: str | None = None,
    follow_up: tuple[Status, str] | None = None,
) -> dict[str, Any]:
    """Register one dossier from its input (the JSON shape of `counter-app register`).

    `follow_up` (a status and its reason) is a counter transition made in the same transaction
    right after the receipt: a dossier checked and refused (Form 03) or found incomplete
    (Form 02) is numbered and put in that status at once, never left half-way.

    Bad input raises InvalidInput naming the field before anything is written. The dossier
    number is taken inside the same BEGIN IMMEDIATE transaction that saves the dossier, so two
    processes of one station can neither take the same number nor leave a gap.
    """
    now = ctx.now()
    request = parse_registration(data, now)
    received_at = (request.received_at or now).astimezone(OFFICE_TZ)
    calendar = ctx.work_calendar()
    check_transition(None, Status.RECEIVED, Side.COUNTER)
    with ctx.db.write() as session:
        connection = session.connection()  # the BEGIN IMMEDIATE transaction
        office = load_office(session)
        clerk_id, clerk_username = acting_clerk_id(session, clerk)
        procedure = connection.execute(_PROCEDURE, {"code": request.procedure_code}).first()
        if procedure is None:
            raise InvalidInput(
                f"Không có thủ tục mã «{request.procedure_code}» trong danh mục; "
                "tra cứu bằng «counter-app catalog list».",
                field="procedure_code",
            )
        appointment = compute_appointment(
            received_at, Duration.from_dict(procedure.duration), calendar
        )
        day = received_at.date()
        low, high = station_number_range(office.station_number)
        last = connection.execute(_LAST_NUMBER, {"day": day, "low": low, "high": high}).scalar()
        number = next_sequence_number(office.station_number, last, day)
        # Plain INSERTs: the rows the Dossier, DossierDocument and StatusEvent objects gave,
        # without the unit of work (most of the time a registration took).
        dossier = {
            "uuid": new_uuid(),
            "code": format_dossier_code(office.unit_code, day, number),
            "receipt_day": day,
            "sequence_number": number,
            "station_number": office.station_number,
            "procedure_id": procedure.id,
            "applicant_kind": request.applicant.kind,
            "applicant_name": request.applicant.full_name,
            "applicant_name_folded": request.applicant.name_folded,
            "applicant_id_type": request.applicant.id_type,
            "applicant_id_number": request.applicant.id_number,
            "applicant_date_of_birth": request.applicant.date_of_birth,
            "applicant_gender": request.applicant.gender,
            "applicant_address": request.applicant.address,
            "applicant_phone": request.applicant.phone,
            "applicant_email": request.applicant.email,
            "sets": request.sets,
            "channel": request.channel,
            "return_method": request.return_method,
            "fee": procedure.fee if request.fee is None else request.fee,
            "received_at": received_at,
            "appointment_at": appointment,
            "status": int(Status.RECEIVED),
            "receiving_clerk_id": clerk_id,
            "created_at": now,
            "updated_at": now,
        }
        dossier_id = connection.execute(_INSERT_DOSSIER, _given(dossier)).inserted_primary_key[0]
        documents = [
            {
                "dossier_id": dossier_id,
                "position": i + 1,
                "name": d.name,
                "originals": d.original,
                "certified_copies": d.certified_copy,
                "photocopies": d.photocopy,
                "received": d.received,
            }
            for i, d in enumerate(_documents(request, procedure.documents))
        ]
        if documents:
            connection.execute(_INSERT_DOCUMENT, [_given(d) for d in documents])
        event_uuid = new_uuid()
        connection.execute(
            _INSERT_EVENT,
            {
                "uuid": event_uuid,
                "dossier_id": dossier_id,
                "to_status": int(Status.RECEIVED),
                "action": "receive",
                "side": str(Side.COUNTER),
                "clerk_id": clerk_id,
                "at": received_at,
                "appointment_at": appointment,
            },
        )
        result = _received_dict(dossier, procedure, documents, clerk_username)
        record(
            session,
            now,
            clerk_id=clerk_id,
            action="dossier.receive",
            entity="dossier",
            entity_id=dossier["code"],
            details={"uuid": dossier["uuid"]},
            outbox=("dossier.received", dossier["uuid"], result | {"event_uuid": event_uuid}),
        )
        if follow_up is not None:
            target, reason = follow_up
            saved = session.get(Dossier, dossier_id)
            append_transition(
                session,
                saved,
                target,
                Side.COUNTER,
                acting=session.get(Clerk, clerk_id),
                now=now,
                reason=reason,
            )
            session.refresh(saved)
            result = dossier_to_dict(saved, history=True)
    return result


def _given(row: dict[str, Any]) -> dict[str, Any]:
    """The values an ORM insert would write: None means "not given" (the column's default)."""
    return {k: v for k, v in row.items() if v is not None}


def _received_dict(
    dossier: dict[str, Any], procedure, documents: list[dict], clerk_username: str
) -> dict[str, Any]:
    """`dossier_view.dossier_to_dict` of the dossier just written, from the values written."""
    status = Status(dossier["status"])
    born = dossier["applicant_date_of_birth"]
    return {
        "code": dossier["code"],
        "uuid": dossier["uuid"],
        "status": status.name.lower(),
        "status_code": int(status),
        "status_label": status.label_vi,
        "received_at": office_iso(dossier["received_at"]),
        "appointment_at": office_iso(dossier["appointment_at"]),
        "station": dossier["station_number"],
        "procedure": {
            "code": procedure.code,
            "version": procedure.version,
            "name": procedure.name,
            "sector": procedure.sector,
            "agency": procedure.agency,
            "duration": procedure.duration,
        },
        "applicant": {
            "kind": dossier["applicant_kind"],
            "full_name": dossier["applicant_name"],
            "id_type": dossier["applicant_id_type"],
            "id_number": dossier["applicant_id_number"],
            "date_of_birth": born.isoformat() if born else None,
            "gender": dossier["applicant_gender"],
            "address": dossier["applicant_address"],
            "phone": dossier["applicant_phone"],
            "email": dossier["applicant_email"],
        },
        "documents": [
            {
                "name": d["name"],
                "original": d["originals"],
                "certified_copy": d["certified_copies"],
                "photocopy": d["photocopies"],
                "received": d["received"],
            }
            for d in documents
        ],
        "sets": dossier["sets"],
        "channel": dossier["channel"],
        "return_method": dossier["return_method"],
        "fee": dossier["fee"],
        "receiving_clerk": clerk_username,
    }
