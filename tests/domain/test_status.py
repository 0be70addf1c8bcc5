from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.status import (
    TERMINAL,
    TRANSITIONS,
    Side,
    Status,
    Transition,
    allowed_targets,
    check_transition,
    clock_running,
    is_open,
    owner_of,
)

C, A = Side.COUNTER, Side.AGENCY

# The rule written out independently of the module: (from, to) -> {side: action}.
EXPECTED: dict[tuple[int | None, int], dict[Side, str]] = {
    (None, 2): {C: "receive"},
    (1, 2): {C: "receive"},
    (None, 3): {C: "refuse"},
    (1, 3): {C: "refuse"},
    (2, 3): {C: "refuse"},
    (2, 7): {C: "withdraw"},
    (4, 7): {C: "withdraw"},
    (5, 7): {C: "withdraw"},
    (6, 7): {C: "withdraw"},
    (9, 10): {C: "hand_back"},
    (8, 10): {C: "hand_back"},
    (5, 2): {C: "supplement_received"},
    (5, 4): {C: "supplement_received", A: "process"},
    (2, 4): {A: "process"},
    (6, 4): {A: "process"},
    (2, 5): {C: "request_supplement", A: "request_supplement"},
    (4, 5): {C: "request_supplement", A: "request_supplement"},
    (4, 6): {A: "request_financial_obligation"},
    (2, 8): {A: "stop"},
    (4, 8): {A: "stop"},
    (5, 8): {A: "stop"},
    (6, 8): {A: "stop"},
    (2, 9): {A: "result_ready"},
    (4, 9): {A: "result_ready"},
    (6, 9): {A: "result_ready"},
}

LABELS = {
    1: "Nộp trực tuyến, chờ tiếp nhận",
    2: "Đã tiếp nhận",
    3: "Từ chối tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân rút hồ sơ",
    8: "Dừng xử lý",
    9: "Có kết quả, chờ trả",
    10: "Đã trả kết quả",
}

SOURCES: list[int | None] = [None, *range(1, 11)]
ALL_CASES = list(itertools.product(SOURCES, range(1, 11), list(Side)))


def as_status(value: int | None) -> Status | None:
    return None if value is None else Status(value)


@pytest.mark.parametrize(("source", "target", "side"), ALL_CASES)
def test_every_pair_against_the_table(source: int | None, target: int, side: Side) -> None:
    current, wanted = as_status(source), Status(target)
    action = EXPECTED.get((source, target), {}).get(side)
    if action is not None:
        transition = check_transition(current, wanted, side)
        assert transition == Transition(current, wanted, side, action)
        return
    with pytest.raises(NotAllowed) as info:
        check_transition(current, wanted, side)
    message = info.value.message
    assert info.value.field == "status"
    assert wanted.label_vi in message
    if current is not None:
        assert f"«{current.label_vi}»" in message
        assert f"«{wanted.label_vi}»" in message
    others = EXPECTED.get((source, target), {})
    if others:
        (owner,) = others
        assert message.startswith(f"Chỉ {owner.label_vi} mới được")


def test_table_has_no_extra_rules() -> None:
    got = {
        (None if t.source is None else int(t.source), int(t.target), t.side, t.action)
        for t in TRANSITIONS
    }
    want = {(s, t, side, action) for (s, t), by in EXPECTED.items() for side, action in by.items()}
    assert got == want


def test_message_examples() -> None:
    with pytest.raises(NotAllowed) as info:
        check_transition(Status.RETURNED, Status.PROCESSING, Side.AGENCY)
    assert info.value.message.startswith(
        "Không thể chuyển hồ sơ từ trạng thái «Đã trả kết quả» sang «Đang xử lý»"
    )
    with pytest.raises(NotAllowed) as info:
        check_transition(Status.PROCESSING, Status.RESULT_READY, Side.COUNTER)
    assert info.value.message.startswith(
        "Chỉ cơ quan giải quyết mới được chuyển hồ sơ từ trạng thái «Đang xử lý» sang "
        "«Có kết quả, chờ trả»"
    )
    with pytest.raises(NotAllowed) as info:
        check_transition(Status.RESULT_READY, Status.RETURNED, Side.AGENCY)
    assert info.value.message.startswith("Chỉ Bộ phận Một cửa mới được")
    with pytest.raises(NotAllowed) as info:
        check_transition(Status.RECEIVED, Status.RETURNED, Side.COUNTER)
    assert "chỉ có thể chuyển sang" in info.value.message
    assert "«Công dân rút hồ sơ»" in info.value.message
    with pytest.raises(NotAllowed) as info:
        check_transition(None, Status.PROCESSING, Side.COUNTER)
    assert "hồ sơ mới" in info.value.message


def test_labels_and_keys() -> None:
    assert {int(s): s.label_vi for s in Status} == LABELS
    assert [int(s) for s in Status] == list(range(1, 11))
    assert Status.RESULT_READY.key == "result_ready"
    assert Status.SUBMITTED_ONLINE.key == "submitted_online"
    assert Side.COUNTER == "counter" and Side.AGENCY == "agency"


@pytest.mark.parametrize("status", list(Status))
def test_parse_round_trips(status: Status) -> None:
    assert Status.parse(status) is status
    assert Status.parse(int(status)) is status
    assert Status.parse(str(int(status))) is status
    assert Status.parse(f" {int(status)} ") is status
    assert Status.parse(status.key) is status
    assert Status.parse(status.name) is status
    assert Status.parse(status.label_vi) is status
    assert Status.parse(status.label_vi.upper()) is status


@pytest.mark.parametrize("bad", [0, 11, -1, True, "", "0", "11", "done", "٩", 9.0, None])
def test_parse_refuses(bad: object) -> None:
    with pytest.raises(InvalidInput) as info:
        Status.parse(bad)  # type: ignore[arg-type]
    assert info.value.field == "status"
    assert "từ 1 đến 10" in info.value.message


@given(st.one_of(st.text(), st.integers()))
def test_parse_only_raises_invalid_input(value: str | int) -> None:
    try:
        status = Status.parse(value)
    except InvalidInput:
        return
    assert isinstance(status, Status)


def test_terminal_and_open() -> None:
    assert {Status.REFUSED, Status.WITHDRAWN, Status.RETURNED} == TERMINAL
    for status in Status:
        assert is_open(status) == (status not in TERMINAL)
        if status in TERMINAL:
            assert allowed_targets(status, Side.COUNTER) == ()
            assert allowed_targets(status, Side.AGENCY) == ()
    assert is_open(Status.STOPPED)  # the stop notice is still to be handed back


def test_clock_running() -> None:
    running = {s for s in Status if clock_running(s)}
    assert running == {Status.RECEIVED, Status.PROCESSING}
    assert not clock_running(Status.SUPPLEMENT_REQUESTED)
    assert not clock_running(Status.FINANCIAL_OBLIGATION)
    for status in TERMINAL:
        assert not clock_running(status)


def test_owner_of() -> None:
    assert owner_of(Status.RESULT_READY) == {Side.AGENCY}
    assert owner_of(Status.RETURNED) == {Side.COUNTER}
    assert owner_of(Status.SUPPLEMENT_REQUESTED) == {Side.COUNTER, Side.AGENCY}
    assert owner_of(Status.SUBMITTED_ONLINE) == frozenset()


def test_allowed_targets() -> None:
    assert allowed_targets(None, Side.COUNTER) == (Status.RECEIVED, Status.REFUSED)
    assert allowed_targets(None, Side.AGENCY) == ()
    assert allowed_targets(Status.SUPPLEMENT_REQUESTED, Side.COUNTER) == (
        Status.RECEIVED,
        Status.PROCESSING,
        Status.WITHDRAWN,
    )
    assert allowed_targets(Status.PROCESSING, Side.AGENCY) == (
        Status.SUPPLEMENT_REQUESTED,
        Status.FINANCIAL_OBLIGATION,
        Status.STOPPED,
        Status.RESULT_READY,
    )
    for source, side in itertools.product([None, *Status], Side):
        for target in allowed_targets(source, side):
            check_transition(source, target, side)
