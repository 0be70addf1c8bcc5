"""Dossier statuses 1-10 (as exchanged with the national portal) and who may move between them.

The one-stop counter (Bộ phận Một cửa) receives, refuses, records withdrawals and hands results
back; the processing agency (cơ quan giải quyết) processes, asks for a supplement or a financial
obligation, stops, and marks the result ready. ``TRANSITIONS`` below is the whole rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.text import fold


class Status(IntEnum):
    SUBMITTED_ONLINE = 1
    RECEIVED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESULT_READY = 9
    RETURNED = 10

    @property
    def label_vi(self) -> str:
        """What a clerk reads: "Đã tiếp nhận", "Có kết quả, chờ trả"..."""
        return _LABELS[self]

    @property
    def key(self) -> str:
        """Stable machine name: "result_ready"."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: Status | int | str) -> Status:
        """A status from its number (9, "9"), machine name ("result_ready") or label."""
        if isinstance(value, Status):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value in _BY_NUMBER:
                return _BY_NUMBER[value]
        elif isinstance(value, str):
            text = value.strip()
            if text.isascii() and text.isdigit() and len(text) <= 2:
                found = _BY_NUMBER.get(int(text))
            else:
                found = _BY_KEY.get(text.lower()) or _BY_FOLDED_LABEL.get(fold(text))
            if found is not None:
                return found
        raise InvalidInput(
            f"Trạng thái hồ sơ «{value}» không hợp lệ: cần số từ 1 đến 10 hoặc tên trạng thái "
            "(ví dụ «result_ready» hoặc «Có kết quả, chờ trả»).",
            field="status",
        )


_LABELS: dict[Status, str] = {
    Status.SUBMITTED_ONLINE: "Nộp trực tuyến, chờ tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.REFUSED: "Từ chối tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    Status.FINANCIAL_OBLIGATION: "Chờ thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.RESULT_READY: "Có kết quả, chờ trả",
    Status.RETURNED: "Đã trả kết quả",
}
_BY_NUMBER: dict[int, Status] = {int(s): s for s in Status}
_BY_KEY: dict[str, Status] = {s.key: s for s in Status}
_BY_FOLDED_LABEL: dict[str, Status] = {fold(label): s for s, label in _LABELS.items()}


class Side(StrEnum):
    COUNTER = "counter"
    AGENCY = "agency"

    @property
    def label_vi(self) -> str:
        return _SIDE_LABELS[self]


_SIDE_LABELS: dict[Side, str] = {
    Side.COUNTER: "Bộ phận Một cửa",
    Side.AGENCY: "cơ quan giải quyết",
}


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move: ``source`` None means a dossier created by this move."""

    source: Status | None
    target: Status
    side: Side
    action: str


S = Status
COUNTER = (Side.COUNTER,)
AGENCY = (Side.AGENCY,)
BOTH = (Side.COUNTER, Side.AGENCY)
NEW = None

# One row per action: who may do it, the status it leads to, the statuses it may start from.
# action                           who      to                       from
_RULES: tuple[tuple[str, tuple[Side, ...], Status, tuple[Status | None, ...]], ...] = (
    # The counter
    ("receive",                      COUNTER, S.RECEIVED,             (NEW, S.SUBMITTED_ONLINE)),
    ("refuse",                       COUNTER, S.REFUSED,              (NEW, S.SUBMITTED_ONLINE,
                                                                       S.RECEIVED)),
    ("withdraw",                     COUNTER, S.WITHDRAWN,            (S.RECEIVED, S.PROCESSING,
                                                                       S.SUPPLEMENT_REQUESTED,
                                                                       S.FINANCIAL_OBLIGATION)),
    ("supplement_received",          COUNTER, S.RECEIVED,             (S.SUPPLEMENT_REQUESTED,)),
    ("supplement_received",          COUNTER, S.PROCESSING,           (S.SUPPLEMENT_REQUESTED,)),
    ("hand_back",                    COUNTER, S.RETURNED,             (S.RESULT_READY, S.STOPPED)),
    # Both: the agency asks, the clerk may record it while printing Form 02
    ("request_supplement",           BOTH,    S.SUPPLEMENT_REQUESTED, (S.RECEIVED, S.PROCESSING)),
    # The processing agency
    ("process",                      AGENCY,  S.PROCESSING,           (S.RECEIVED,
                                                                       S.SUPPLEMENT_REQUESTED,
                                                                       S.FINANCIAL_OBLIGATION)),
    ("request_financial_obligation", AGENCY,  S.FINANCIAL_OBLIGATION, (S.PROCESSING,)),
    ("stop",                         AGENCY,  S.STOPPED,              (S.RECEIVED, S.PROCESSING,
                                                                       S.SUPPLEMENT_REQUESTED,
                                                                       S.FINANCIAL_OBLIGATION)),
    ("result_ready",                 AGENCY,  S.RESULT_READY,         (S.RECEIVED, S.PROCESSING,
                                                                       S.FINANCIAL_OBLIGATION)),
)  # fmt: skip


def _expand() -> dict[tuple[Status | None, Status, Side], Transition]:
    table: dict[tuple[Status | None, Status, Side], Transition] = {}
    for action, sides, target, sources in _RULES:
        for source in sources:
            for side in sides:
                key = (source, target, side)
                if key in table:
                    raise AssertionError(f"duplicate transition rule {key}")
                table[key] = Transition(source, target, side, action)
    return table


_TABLE = _expand()
TRANSITIONS: tuple[Transition, ...] = tuple(_TABLE.values())

TERMINAL: frozenset[Status] = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.RETURNED})
# The processing clock runs only while the dossier is with the counter or agency to be worked on:
# not before receipt, not while the citizen owes a supplement or a payment, not once the result
# is ready or processing stopped.
_CLOCK_RUNNING: frozenset[Status] = frozenset({Status.RECEIVED, Status.PROCESSING})


def is_open(status: Status) -> bool:
    """Something is still to happen to the dossier (not refused, withdrawn or returned)."""
    return status not in TERMINAL


def clock_running(status: Status) -> bool:
    """Whether the time limit is being consumed in this status."""
    return status in _CLOCK_RUNNING


def owner_of(target: Status) -> frozenset[Side]:
    """The side(s) that may move a dossier into ``target`` (empty for SUBMITTED_ONLINE)."""
    return frozenset(t.side for t in TRANSITIONS if t.target == target)


def allowed_targets(current: Status | None, side: Side) -> tuple[Status, ...]:
    """The statuses ``side`` may move a dossier in ``current`` (None: a new one) to, sorted."""
    return tuple(sorted({t.target for t in TRANSITIONS if t.source == current and t.side == side}))


def _quoted(statuses: tuple[Status, ...] | list[Status]) -> str:
    return ", ".join(f"«{s.label_vi}»" for s in statuses)


def check_transition(current: Status | None, target: Status, side: Side) -> Transition:
    """The rule allowing ``side`` to move a dossier from ``current`` to ``target``.

    ``current`` None means a dossier that does not exist yet. Raises NotAllowed otherwise.
    """
    found = _TABLE.get((current, target, side))
    if found is not None:
        return found
    others = sorted(
        (t.side for t in TRANSITIONS if t.source == current and t.target == target),
        key=list(Side).index,
    )
    if current is None:
        move = f"tạo hồ sơ mới ở trạng thái «{target.label_vi}»"
    else:
        move = f"chuyển hồ sơ từ trạng thái «{current.label_vi}» sang «{target.label_vi}»"
    if others:
        owner = others[0].label_vi
        raise NotAllowed(
            f"Chỉ {owner} mới được {move}; {side.label_vi} không thể làm việc này.",
            field="status",
        )
    if current is None:
        message = f"Không thể {move}: hồ sơ mới phải được tiếp nhận hoặc từ chối tiếp nhận."
    elif current == target:
        message = f"Không thể {move}: hồ sơ đã ở trạng thái này."
    elif current in TERMINAL:
        message = f"Không thể {move}: hồ sơ đã kết thúc, không thay đổi trạng thái được nữa."
    else:
        possible = allowed_targets(current, side)
        if possible:
            message = (
                f"Không thể {move}. Từ trạng thái này, {side.label_vi} chỉ có thể chuyển sang "
                f"{_quoted(possible)}."
            )
        else:
            message = (
                f"Không thể {move}. Ở trạng thái này, hồ sơ đang chờ "
                f"{_SIDE_LABELS[_other(side)]} xử lý."
            )
    raise NotAllowed(message, field="status")


def _other(side: Side) -> Side:
    return Side.AGENCY if side is Side.COUNTER else Side.COUNTER
