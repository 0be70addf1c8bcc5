from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from support import registration

from counter_app.domain.errors import InvalidInput, NotAllowed, NotFound
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.models import OutboxItem
from counter_app.services import transitions
from counter_app.services.registration import register_dossier
from counter_app.services.search import show_dossier


@pytest.fixture
def dossier(test_catalog):
    return register_dossier(test_catalog, registration())["code"]


def statuses(ctx, code):
    return [e["to_status"] for e in show_dossier(ctx, code)["history"]]


def test_hand_back_after_the_agency_marks_the_result_ready(test_catalog, dossier, clock):
    ctx = test_catalog
    with pytest.raises(NotAllowed):
        transitions.hand_back(ctx, dossier)
    transitions.agency_set_status(ctx, dossier, "processing")
    transitions.agency_set_status(ctx, dossier, "result_ready", note="Đã ký")
    clock.now += timedelta(days=5)
    done = transitions.hand_back(ctx, dossier, collected_by="Trần Thị Bình")
    assert done["status"] == "returned"
    assert statuses(ctx, dossier) == ["received", "processing", "result_ready", "returned"]
    assert done["history"][-1]["reason"] == "Người nhận: Trần Thị Bình"
    with ctx.db.read() as s:
        kinds = [o.kind for o in s.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    assert kinds == ["dossier.received"] + ["dossier.status_changed"] * 3


def test_counter_cannot_make_agency_steps(test_catalog, dossier):
    from counter_app.domain.status import Side, Status

    with pytest.raises(NotAllowed):
        transitions._transition(test_catalog, dossier, Status.PROCESSING, Side.COUNTER, clerk=None)


def test_withdraw_and_refuse_need_a_reason(test_catalog, dossier):
    with pytest.raises(InvalidInput) as raised:
        transitions.withdraw(test_catalog, dossier, reason="  ")
    assert raised.value.field == "reason"
    assert transitions.withdraw(test_catalog, dossier, reason="Đổi ý")["status"] == "withdrawn"
    with pytest.raises(NotAllowed):
        transitions.refuse(test_catalog, dossier, reason="Sai thẩm quyền")
    other = register_dossier(test_catalog, registration())["code"]
    refused = transitions.refuse(test_catalog, other, reason="Không thuộc thẩm quyền")
    assert refused["status"] == "refused"


def test_supplement_stops_the_clock(test_catalog, dossier, clock):
    ctx = test_catalog
    # Received Thu 26/11 09:00, due Tue 1/12 09:00 (24 working hours).
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=OFFICE_TZ)  # 8 h used, 16 h remain
    transitions.request_supplement(ctx, dossier, reason="Thiếu giấy xác nhận tình trạng hôn nhân")
    assert show_dossier(ctx, dossier)["status"] == "supplement_requested"
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=OFFICE_TZ)  # Thursday
    resumed = transitions.receive_supplement(ctx, dossier)
    assert resumed["status"] == "received"
    # 16 working hours from Thu 3/12 09:00 -> Mon 7/12 09:00.
    assert resumed["appointment_at"] == "2026-12-07T09:00:00+07:00"
    assert resumed["history"][-1]["appointment_at"] == "2026-12-07T09:00:00+07:00"
    with pytest.raises(NotAllowed):
        transitions.receive_supplement(ctx, dossier)


def test_unknown_or_malformed_code(test_catalog):
    with pytest.raises(NotFound):
        transitions.hand_back(test_catalog, "000.00.12.H49-261126-0042")
    with pytest.raises(InvalidInput):
        transitions.hand_back(test_catalog, "hello")


def test_history_and_audit_are_append_only_and_dossiers_never_deleted(test_catalog, dossier):
    from sqlalchemy.exc import IntegrityError

    for statement in (
        "UPDATE status_events SET to_status = 10",
        "DELETE FROM status_events",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
        "DELETE FROM dossiers",
    ):
        with pytest.raises(IntegrityError), test_catalog.db.write() as s:
            s.execute(text(statement))
    assert statuses(test_catalog, dossier) == ["received"]
