"""The citizen's satisfaction rating after a hand-back (three levels, practice of Decision
766/QĐ-TTg scoring): stored per dossier with time and clerk, and queued for the server.

Stored as an audit row (action "dossier.rate") and an outbox item "dossier.rated", in one
transaction; no extra table is needed for one rating per dossier.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.status import Status
from counter_app.domain.text import clean
from counter_app.models import AuditEntry
from counter_app.services.context import Context, load_clerk, new_uuid, record
from counter_app.services.dossier_view import office_iso
from counter_app.services.transitions import load_dossier

LEVELS = {
    "very_satisfied": "RẤT HÀI LÒNG",
    "satisfied": "HÀI LÒNG",
    "dissatisfied": "KHÔNG HÀI LÒNG",
}
ACTION = "dossier.rate"


def _existing(session, code: str) -> AuditEntry | None:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == ACTION, AuditEntry.entity_id == code)
    ).first()


def rate(
    ctx: Context, code: str, level: str, *, reason: str = "", clerk: str | None = None
) -> dict[str, Any]:
    if level not in LEVELS:
        raise InvalidInput(
            f"Mức đánh giá «{level}» không hợp lệ; chọn {', '.join(LEVELS.values())}.",
            field="level",
        )
    reason = clean(reason)
    if level == "dissatisfied" and not reason:
        raise InvalidInput(
            "Xin ông/bà cho biết lý do chưa hài lòng để cơ quan cải thiện.", field="reason"
        )
    now = ctx.now()
    with ctx.db.write() as session:
        dossier = load_dossier(session, code)
        if dossier.status != Status.RETURNED:
            raise NotAllowed(
                f"Hồ sơ {dossier.code} chưa trả kết quả; chỉ đánh giá sau khi nhận kết quả."
            )
        if _existing(session, dossier.code) is not None:
            raise NotAllowed(f"Hồ sơ {dossier.code} đã được đánh giá.")
        acting = load_clerk(session, clerk)
        rating = {
            "uuid": new_uuid(),
            "code": dossier.code,
            "dossier_uuid": dossier.uuid,
            "level": level,
            "level_label": LEVELS[level],
            "reason": reason,
            "at": office_iso(now),
            "clerk": acting.username,
        }
        record(
            session,
            now,
            clerk_id=acting.id,
            action=ACTION,
            entity="dossier",
            entity_id=dossier.code,
            details=rating,
            outbox=("dossier.rated", dossier.uuid, rating),
        )
    return rating


def rating_of(ctx: Context, code: str) -> dict[str, Any] | None:
    with ctx.db.read() as session:
        dossier = load_dossier(session, code)
        entry = _existing(session, dossier.code)
        return dict(entry.details) if entry is not None else None
