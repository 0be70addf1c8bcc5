"""Status changes after receipt: hand back, withdrawal, refusal, supplements, agency steps.

Each is one transaction that appends a status event (the history is never rewritten), updates
the dossier's current status, and writes the audit and outbox rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.domain.appointment import resume_after_supplement
from counter_app.domain.dossier_code import parse_dossier_code
from counter_app.domain.errors import InvalidInput, NotAllowed, NotFound
from counter_app.domain.status import Side, Status, check_transition
from counter_app.domain.text import clean
from counter_app.models import Clerk, Dossier, StatusEvent
from counter_app.services.context import Context, load_clerk, new_uuid, record
from counter_app.services.dossier_view import dossier_to_dict, event_to_dict


def load_dossier(session: Session, code: str) -> Dossier:
    normalised = parse_dossier_code(code)
    dossier = session.scalars(select(Dossier).where(Dossier.code == normalised.code)).first()
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ mã {normalised.code} trên máy này.")
    return dossier


def _required_reason(reason: str | None, what: str) -> str:
    text = clean(reason)
    if not text:
        raise InvalidInput(f"Cần ghi lý do {what}.", field="reason")
    return text


def append_transition(
    session: Session,
    dossier: Dossier,
    target: Status,
    side: Side,
    *,
    acting: Clerk,
    now: datetime,
    reason: str = "",
    appointment_at: datetime | None = None,
    details: dict | None = None,
) -> StatusEvent:
    """Inside the caller's transaction: check the transition, append its event, update the
    dossier's status (and appointment), and write the audit and outbox rows."""
    transition = check_transition(Status(dossier.status), target, side)
    event = StatusEvent(
        uuid=new_uuid(),
        dossier=dossier,
        from_status=dossier.status,
        to_status=int(target),
        action=transition.action,
        side=str(side),
        clerk=acting,
        at=now,
        reason=reason,
        appointment_at=appointment_at,
    )
    session.add(event)
    dossier.status = int(target)
    dossier.updated_at = now
    if appointment_at is not None:
        dossier.appointment_at = appointment_at
    session.flush()
    payload = event_to_dict(event) | {"dossier_uuid": dossier.uuid, "code": dossier.code}
    if details:
        payload["details"] = details
    record(
        session,
        now,
        clerk_id=acting.id,
        action=f"dossier.{transition.action}",
        entity="dossier",
        entity_id=dossier.code,
        details={"from": event.from_status, "to": event.to_status, "reason": reason}
        | (details or {}),
        outbox=("dossier.status_changed", dossier.uuid, payload),
    )
    return event


def _transition(
    ctx: Context,
    code: str,
    target: Status,
    side: Side,
    *,
    clerk: str | None,
    reason: str = "",
    new_appointment=None,
    details: dict | None = None,
) -> dict[str, Any]:
    now = ctx.now()
    with ctx.db.write() as session:
        dossier = load_dossier(session, code)
        append_transition(
            session,
            dossier,
            target,
            side,
            acting=load_clerk(session, clerk),
            now=now,
            reason=reason,
            appointment_at=new_appointment(session, dossier, now) if new_appointment else None,
            details=details,
        )
        session.refresh(dossier)
        return dossier_to_dict(dossier, history=True)


def hand_back(
    ctx: Context, code: str, *, clerk: str | None = None, collected_by: str = ""
) -> dict[str, Any]:
    collected_by = clean(collected_by)
    return _transition(
        ctx,
        code,
        Status.RETURNED,
        Side.COUNTER,
        clerk=clerk,
        reason=f"Người nhận: {collected_by}" if collected_by else "",
        details={"collected_by": collected_by} if collected_by else None,
    )


def withdraw(ctx: Context, code: str, *, reason: str, clerk: str | None = None) -> dict[str, Any]:
    reason = _required_reason(reason, "công dân rút hồ sơ")
    return _transition(ctx, code, Status.WITHDRAWN, Side.COUNTER, clerk=clerk, reason=reason)


def refuse(ctx: Context, code: str, *, reason: str, clerk: str | None = None) -> dict[str, Any]:
    reason = _required_reason(reason, "từ chối tiếp nhận")
    return _transition(ctx, code, Status.REFUSED, Side.COUNTER, clerk=clerk, reason=reason)


def request_supplement(
    ctx: Context, code: str, *, reason: str, clerk: str | None = None, side: Side = Side.COUNTER
) -> dict[str, Any]:
    reason = _required_reason(reason, "yêu cầu bổ sung hồ sơ (giấy tờ còn thiếu)")
    return _transition(ctx, code, Status.SUPPLEMENT_REQUESTED, side, clerk=clerk, reason=reason)


def _last_supplement_request(dossier: Dossier) -> StatusEvent:
    for event in reversed(dossier.events):
        if event.to_status == Status.SUPPLEMENT_REQUESTED:
            return event
    raise NotAllowed(f"Hồ sơ {dossier.code} chưa có yêu cầu bổ sung nào.")


def receive_supplement(ctx: Context, code: str, *, clerk: str | None = None) -> dict[str, Any]:
    """The citizen brings the missing papers: the clock restarts with the time that remained."""
    calendar = ctx.work_calendar()
    with ctx.db.read() as session:
        dossier = load_dossier(session, code)
        if dossier.status != Status.SUPPLEMENT_REQUESTED:
            raise NotAllowed(
                f"Hồ sơ {dossier.code} đang ở trạng thái «{Status(dossier.status).label_vi}», "
                "không chờ bổ sung."
            )
        back_to = Status(_last_supplement_request(dossier).from_status)

    def resumed(session: Session, dossier: Dossier, now: datetime):
        request = _last_supplement_request(dossier)
        return resume_after_supplement(dossier.appointment_at, request.at, now, calendar)

    return _transition(
        ctx,
        code,
        back_to,
        Side.COUNTER,
        clerk=clerk,
        reason="Đã nhận hồ sơ bổ sung",
        new_appointment=resumed,
    )


def agency_set_status(
    ctx: Context, code: str, status: str, *, note: str = "", clerk: str | None = None
) -> dict[str, Any]:
    """Record a step of the processing agency (at a commune, often the same office)."""
    target = Status.parse(status)
    if target == Status.SUPPLEMENT_REQUESTED:
        return request_supplement(ctx, code, reason=note, clerk=clerk, side=Side.AGENCY)
    return _transition(ctx, code, target, Side.AGENCY, clerk=clerk, reason=clean(note))
