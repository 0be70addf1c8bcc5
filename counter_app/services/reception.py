"""What the receive screen needs besides `register_dossier`: finding a procedure by typing,
the appointment shown live, and the two outcomes of a check that do not end in a receipt
(refusal, Form 03; incomplete dossier, Form 02). No Qt here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counter_app.domain.appointment import Duration, compute_appointment
from counter_app.domain.errors import InvalidInput
from counter_app.domain.status import Status
from counter_app.domain.text import clean, fold
from counter_app.services.catalog import list_current
from counter_app.services.context import Context
from counter_app.services.registration import register_dossier


@dataclass(frozen=True)
class ProcedureChoice:
    code: str
    name: str
    sector: str
    agency: str
    duration: dict
    fee: int
    documents: tuple[dict, ...]
    search_key: str  # folded code, name and sector

    @property
    def duration_vi(self) -> str:
        return Duration.from_dict(self.duration).describe_vi()


def procedure_choices(ctx: Context) -> list[ProcedureChoice]:
    """The current catalog, sorted by name, ready to filter as the clerk types."""
    choices = [
        ProcedureChoice(
            code=p.code,
            name=p.name,
            sector=p.sector,
            agency=p.agency,
            duration=dict(p.duration),
            fee=p.fee,
            documents=tuple(dict(d) for d in p.documents),
            search_key=fold(f"{p.code} {p.name} {p.sector}"),
        )
        for p in list_current(ctx)
    ]
    choices.sort(key=lambda c: fold(c.name))
    return choices


def match_procedures(choices: list[ProcedureChoice], typed: str) -> list[ProcedureChoice]:
    """Every folded word typed must appear in the code, name or sector ("ket hon", "1.0011")."""
    words = fold(typed).split()
    if not words:
        return list(choices)
    found = [c for c in choices if all(w in c.search_key for w in words)]
    # An exact code first, then names starting with the first word.
    found.sort(key=lambda c: (c.code.lower() != typed.strip().lower(), " " + words[0] not in
                              " " + fold(c.name)))  # fmt: skip
    return found


def preview_appointment(
    ctx: Context, choice: ProcedureChoice, received_at: datetime | None = None
) -> datetime:
    """The appointment a dossier of this procedure received now (or at `received_at`) gets."""
    return compute_appointment(
        received_at or ctx.now(), Duration.from_dict(choice.duration), ctx.work_calendar()
    )


def _reason(reason: str, what: str) -> str:
    text = clean(reason)
    if not text:
        raise InvalidInput(f"Cần ghi lý do {what}.", field="reason")
    return text


def refuse_at_counter(
    ctx: Context, data: Any, *, reason: str, clerk: str | None = None
) -> dict[str, Any]:
    """A dossier checked and refused (out of scope): numbered, then refused (Form 03).

    Numbering and refusal are one transaction: nothing is saved unless both are.
    """
    reason = _reason(reason, "từ chối tiếp nhận")
    return register_dossier(ctx, data, clerk=clerk, follow_up=(Status.REFUSED, reason))


def supplement_at_counter(
    ctx: Context, data: Any, *, reason: str, clerk: str | None = None
) -> dict[str, Any]:
    """A dossier checked and found incomplete: numbered, then put in "supplement requested"
    (Form 02 lists what is missing); the clock waits until the citizen brings the papers."""
    reason = _reason(reason, "yêu cầu bổ sung hồ sơ (giấy tờ còn thiếu)")
    return register_dossier(ctx, data, clerk=clerk, follow_up=(Status.SUPPLEMENT_REQUESTED, reason))
