from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import APPLICANT, registration

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.models import AuditEntry, Dossier, OutboxItem, StatusEvent
from counter_app.services.registration import register_dossier


def counts(ctx):
    with ctx.db.read() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (Dossier, StatusEvent, OutboxItem, AuditEntry)
        )


def test_register_gives_code_appointment_and_writes_event_outbox_audit(test_catalog):
    ctx = test_catalog
    before = counts(ctx)
    result = register_dossier(ctx, registration())
    assert result["code"] == "000.00.12.H49-261126-0001"
    assert result["status"] == "received"
    # Thursday 09:00 + 3 working days (24 h) -> Tuesday 09:00 (weekend skipped).
    assert result["received_at"] == "2026-11-26T09:00:00+07:00"
    assert result["appointment_at"] == "2026-12-01T09:00:00+07:00"
    assert result["applicant"]["full_name"] == "Nguyễn Văn Dũng"
    assert result["applicant"]["date_of_birth"] == "1990-05-17"
    assert result["applicant"]["phone"] == "0912345678"
    # The procedure's own document list when none is given.
    assert [d["name"] for d in result["documents"]] == [
        "Tờ khai đăng ký kết hôn",
        "Giấy xác nhận tình trạng hôn nhân",
    ]
    assert counts(ctx) == tuple(n + 1 for n in before)
    with ctx.db.read() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.kind == "dossier.received")).one()
        assert item.dossier_uuid == result["uuid"]
        assert item.payload["code"] == result["code"]
        assert item.acknowledged_at is None


def test_numbers_follow_each_other_and_restart_each_day(test_catalog, clock):
    ctx = test_catalog
    codes = [register_dossier(ctx, registration())["code"] for _ in range(3)]
    assert [c[-4:] for c in codes] == ["0001", "0002", "0003"]
    clock.now += timedelta(days=1)
    assert register_dossier(ctx, registration())["code"] == "000.00.12.H49-261127-0001"
    # A dossier received on paper yesterday takes yesterday's date and next number.
    late = register_dossier(ctx, registration(received_at="2026-11-26T16:30:00"))
    assert late["code"] == "000.00.12.H49-261126-0004"
    assert late["received_at"] == "2026-11-26T16:30:00+07:00"


def test_station_two_numbers_from_2001(test_catalog):
    from counter_app.services.office import setup_office

    setup_office(test_catalog, unit_code="H15.50.05.13", unit_name="Trung tâm", station=2)
    assert register_dossier(test_catalog, registration())["code"] == "H15.50.05.13-261126-2001"


def test_the_thousandth_dossier_of_a_day_is_refused(test_catalog):
    ctx = test_catalog
    register_dossier(ctx, registration())
    with ctx.db.write() as s:
        s.scalars(select(Dossier)).one().sequence_number = 999
    before = counts(ctx)
    with pytest.raises(NotAllowed, match="999"):
        register_dossier(ctx, registration())
    assert counts(ctx) == before


def test_scanned_id_card_fills_the_applicant(test_catalog):
    payload = "001090012345|012345678|Nguyễn Văn Dũng|17051990|Nam|Thôn Đông, Tân Lập|01012022\r\n"
    result = register_dossier(
        test_catalog,
        {"procedure_code": "T.SAME", "cccd_qr": payload, "applicant": {"phone": "0987654321"}},
    )
    applicant = result["applicant"]
    assert applicant["id_number"] == "001090012345"
    assert applicant["date_of_birth"] == "1990-05-17"
    assert applicant["gender"] == "Nam"
    assert applicant["phone"] == "0987654321"
    assert result["appointment_at"] == "2026-11-26T17:00:00+07:00"
    assert result["fee"] == 2000


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"applicant": APPLICANT}, "procedure_code"),
        (registration(procedure_code="NO.SUCH"), "procedure_code"),
        ({"procedure_code": "T.WD3"}, "applicant"),
        (registration(applicant=APPLICANT | {"full_name": "  "}), "applicant.full_name"),
        (registration(applicant=APPLICANT | {"id_number": "00109001234"}), "applicant.id_number"),
        # Birth year 1990 in the number, 1991 given.
        (
            registration(applicant=APPLICANT | {"date_of_birth": "1991-05-17"}),
            "applicant.id_number",
        ),
        (registration(applicant=APPLICANT | {"gender": "Nữ"}), "applicant.id_number"),
        (
            registration(applicant=APPLICANT | {"date_of_birth": "17/13/1990"}),
            "applicant.date_of_birth",
        ),
        (registration(applicant=APPLICANT | {"phone": "12345"}), "applicant.phone"),
        (registration(applicant=APPLICANT | {"email": "a@b"}), "applicant.email"),
        (registration(sets=0), "sets"),
        (registration(channel="fax"), "channel"),
        (registration(return_method="drone"), "return_method"),
        (registration(received_at="2026-11-26T09:30:00+07:00"), "received_at"),  # future
        (registration(received_at="yesterday"), "received_at"),
        (registration(documents=[{"name": "", "original": 1}]), "documents[0].name"),
        (registration(documents=[{"name": "Tờ khai", "original": -1}]), "documents[0].original"),
        (registration(recieved_at="2026-11-26T08:00:00"), "recieved_at"),
        ({**registration(), "cccd_qr": "not a card"}, "cccd_qr"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(test_catalog, data, field):
    before = counts(test_catalog)
    with pytest.raises(InvalidInput) as raised:
        register_dossier(test_catalog, data)
    assert raised.value.field == field, raised.value
    assert raised.value.message
    assert counts(test_catalog) == before


def test_dossier_keeps_the_procedure_version_it_was_received_under(test_catalog):
    import json

    from support import DATA

    from counter_app.services.catalog import import_catalog
    from counter_app.services.search import show_dossier

    ctx = test_catalog
    first = register_dossier(ctx, registration())
    catalog = json.loads((DATA / "catalog.json").read_text("utf-8"))
    catalog["procedures"][0]["duration"]["value"] = 5
    result = import_catalog(ctx, catalog)
    assert result.new_versions == ["T.WD3"]
    assert len(result.unchanged) == 3
    second = register_dossier(ctx, registration())
    assert second["procedure"]["version"] == 2
    assert second["appointment_at"] == "2026-12-03T09:00:00+07:00"
    kept = show_dossier(ctx, first["code"])
    assert kept["procedure"]["version"] == 1
    assert kept["appointment_at"] == "2026-12-01T09:00:00+07:00"
    # Importing the same file again adds nothing.
    assert import_catalog(ctx, catalog).new_versions == []


def test_received_in_utc_is_office_time(test_catalog):
    result = register_dossier(test_catalog, registration(received_at="2026-11-26T01:00:00Z"))
    assert result["received_at"] == "2026-11-26T08:00:00+07:00"
    assert datetime.fromisoformat(result["received_at"]).utcoffset() == timedelta(hours=7)
    assert datetime.fromisoformat(result["received_at"]).astimezone(OFFICE_TZ).hour == 8


def test_refusal_or_supplement_at_the_desk_is_one_transaction(test_catalog):
    from counter_app.domain.status import Status
    from counter_app.services.reception import refuse_at_counter, supplement_at_counter

    ctx = test_catalog
    before = counts(ctx)
    with pytest.raises(NotAllowed):  # a follow-up the rules refuse: nothing at all is saved
        register_dossier(ctx, registration(), follow_up=(Status.RETURNED, "x"))
    assert counts(ctx) == before
    refused = refuse_at_counter(ctx, registration(), reason="Không thuộc thẩm quyền")
    assert refused["status"] == "refused"
    assert [e["to_status"] for e in refused["history"]] == ["received", "refused"]
    incomplete = supplement_at_counter(ctx, registration(), reason="Thiếu tờ khai")
    assert incomplete["status"] == "supplement_requested"
    assert incomplete["history"][-1]["reason"] == "Thiếu tờ khai"
    # received + follow-up: two events and two outbox rows each, numbered 0001 and 0002
    assert [refused["code"][-4:], incomplete["code"][-4:]] == ["0001", "0002"]
