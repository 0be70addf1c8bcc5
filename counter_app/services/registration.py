"""Registering a dossier: validate, number, compute the appointment, save, in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

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
from counter_app.models import Dossier, DossierDocument, StatusEvent
from counter_app.services.catalog import current_procedure
from counter_app.services.context import Context, load_clerk, load_office, new_uuid, record
from counter_app.services.dossier_view import dossier_to_dict
from counter_app.services.transitions import append_transition


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
        office = load_office(session)
        acting = load_clerk(session, clerk)
        procedure = current_procedure(session, request.procedure_code)
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
        last = session.scalar(
            select(func.max(Dossier.sequence_number)).where(
                Dossier.receipt_day == day, Dossier.sequence_number.between(low, high)
            )
        )
        number = next_sequence_number(office.station_number, last, day)
        dossier = Dossier(
            uuid=new_uuid(),
            code=format_dossier_code(office.unit_code, day, number),
            receipt_day=day,
            sequence_number=number,
            station_number=office.station_number,
            procedure=procedure,
            applicant_kind=request.applicant.kind,
            applicant_name=request.applicant.full_name,
            applicant_name_folded=request.applicant.name_folded,
            applicant_id_type=request.applicant.id_type,
            applicant_id_number=request.applicant.id_number,
            applicant_date_of_birth=request.applicant.date_of_birth,
            applicant_gender=request.applicant.gender,
            applicant_address=request.applicant.address,
            applicant_phone=request.applicant.phone,
            applicant_email=request.applicant.email,
            sets=request.sets,
            channel=request.channel,
            return_method=request.return_method,
            fee=procedure.fee if request.fee is None else request.fee,
            received_at=received_at,
            appointment_at=appointment,
            status=int(Status.RECEIVED),
            receiving_clerk=acting,
            created_at=now,
            updated_at=now,
        )
        dossier.documents = [
            DossierDocument(
                position=i + 1,
                name=d.name,
                originals=d.original,
                certified_copies=d.certified_copy,
                photocopies=d.photocopy,
                received=d.received,
            )
            for i, d in enumerate(_documents(request, procedure.documents))
        ]
        dossier.events = [
            StatusEvent(
                uuid=new_uuid(),
                from_status=None,
                to_status=int(Status.RECEIVED),
                action="receive",
                side=str(Side.COUNTER),
                clerk=acting,
                at=received_at,
                appointment_at=appointment,
            )
        ]
        session.add(dossier)
        session.flush()
        result = dossier_to_dict(dossier)
        event_uuid = dossier.events[0].uuid
        record(
            session,
            now,
            clerk_id=acting.id,
            action="dossier.receive",
            entity="dossier",
            entity_id=dossier.code,
            details={"uuid": dossier.uuid},
            outbox=("dossier.received", dossier.uuid, result | {"event_uuid": event_uuid}),
        )
        if follow_up is not None:
            target, reason = follow_up
            append_transition(
                session, dossier, target, Side.COUNTER, acting=acting, now=now, reason=reason
            )
            session.refresh(dossier)
            result = dossier_to_dict(dossier, history=True)
    return result
