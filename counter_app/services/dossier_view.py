"""The one outside shape of a dossier: CLI JSON output, the sync outbox payload, the window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.status import Status
from counter_app.models import Dossier, StatusEvent


def office_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in office time, with its +07:00 offset."""
    return None if moment is None else moment.astimezone(OFFICE_TZ).isoformat()


def event_to_dict(event: StatusEvent) -> dict[str, Any]:
    return {
        "uuid": event.uuid,
        "at": office_iso(event.at),
        "from_status": Status(event.from_status).name.lower() if event.from_status else None,
        "to_status": Status(event.to_status).name.lower(),
        "to_status_label": Status(event.to_status).label_vi,
        "action": event.action,
        "side": event.side,
        "clerk": event.clerk.username if event.clerk else None,
        "reason": event.reason,
        "appointment_at": office_iso(event.appointment_at),
    }


def dossier_to_dict(dossier: Dossier, *, history: bool = False) -> dict[str, Any]:
    status = Status(dossier.status)
    data: dict[str, Any] = {
        "code": dossier.code,
        "uuid": dossier.uuid,
        "status": status.name.lower(),
        "status_code": int(status),
        "status_label": status.label_vi,
        "received_at": office_iso(dossier.received_at),
        "appointment_at": office_iso(dossier.appointment_at),
        "station": dossier.station_number,
        "procedure": {
            "code": dossier.procedure.code,
            "version": dossier.procedure.version,
            "name": dossier.procedure.name,
            "sector": dossier.procedure.sector,
            "agency": dossier.procedure.agency,
            "duration": dossier.procedure.duration,
        },
        "applicant": {
            "kind": dossier.applicant_kind,
            "full_name": dossier.applicant_name,
            "id_type": dossier.applicant_id_type,
            "id_number": dossier.applicant_id_number,
            "date_of_birth": (
                dossier.applicant_date_of_birth.isoformat()
                if dossier.applicant_date_of_birth
                else None
            ),
            "gender": dossier.applicant_gender,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
        },
        "documents": [
            {
                "name": d.name,
                "original": d.originals,
                "certified_copy": d.certified_copies,
                "photocopy": d.photocopies,
                "received": d.received,
            }
            for d in dossier.documents
        ],
        "sets": dossier.sets,
        "channel": dossier.channel,
        "return_method": dossier.return_method,
        "fee": dossier.fee,
        "receiving_clerk": dossier.receiving_clerk.username,
    }
    if history:
        data["history"] = [event_to_dict(e) for e in dossier.events]
    return data


def conflict_to_dict(conflict) -> dict[str, Any]:
    return {
        "kind": conflict.kind,
        "subject_uuid": conflict.subject_uuid,
        "message": conflict.message,
        "detected_at": office_iso(conflict.detected_at),
    }


def mark_conflicts(session, dossier: Dossier, data: dict[str, Any]) -> None:
    """Sync conflicts of a dossier (a change that lost, one held back): listed under
    "conflicts", and each history event that lost one carries it under "conflict"."""
    from sqlalchemy import select

    from counter_app.models import SyncConflict

    rows = session.scalars(
        select(SyncConflict).where(SyncConflict.dossier_id == dossier.id).order_by(SyncConflict.id)
    ).all()
    conflicts = [conflict_to_dict(c) for c in rows]
    by_subject = {c["subject_uuid"]: c for c in conflicts}
    for event in data.get("history", []):
        event["conflict"] = by_subject.get(event["uuid"])
    events = {e["uuid"] for e in data.get("history", [])}
    for conflict in conflicts:
        conflict["in_history"] = conflict["subject_uuid"] in events
    data["conflicts"] = conflicts
