"""Services behind the desk window: clerks, settings, search filters, Today, ratings."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import registration

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.models import Clerk, OutboxItem
from counter_app.services import clerks, ratings, reception, settings, transitions, worklists
from counter_app.services.registration import register_dossier
from counter_app.services.search import search_dossiers


@pytest.fixture
def admin(ctx):
    return clerks.set_first_admin_password(ctx, full_name="Lê Văn Quản", password="bí-mật-123")


def test_first_admin_password_then_sign_in(ctx, admin):
    assert not clerks.needs_admin_password(ctx)
    with ctx.db.read() as s:
        stored = s.scalars(select(Clerk)).one().password_hash
    assert stored.startswith("$argon2id$")
    assert clerks.sign_in(ctx, "QuanTri ", "bí-mật-123").full_name == "Lê Văn Quản"
    with pytest.raises(InvalidInput) as wrong:
        clerks.sign_in(ctx, "quantri", "bi-mat-123")
    with pytest.raises(InvalidInput) as unknown:
        clerks.sign_in(ctx, "ai-do", "bí-mật-123")
    assert wrong.value.message == unknown.value.message  # no hint that a username exists
    with pytest.raises(NotAllowed):
        clerks.set_first_admin_password(ctx, full_name="X", password="khac-123456")


def test_setup_with_admin_password_is_all_or_nothing(tmp_path, migrated_database):
    import shutil

    from counter_app.app import open_context
    from counter_app.services.office import office_or_none, setup_office

    shutil.copy(migrated_database, tmp_path / migrated_database.name)
    ctx = open_context(tmp_path)
    with pytest.raises(InvalidInput):
        setup_office(ctx, unit_code="000.00.12.H49", unit_name="UBND xã A",
                     admin_full_name="Quản trị", admin_password="123")  # fmt: skip
    assert office_or_none(ctx) is None
    setup_office(ctx, unit_code="000.00.12.H49", unit_name="UBND xã A",
                 admin_full_name="Trần Quản Trị", admin_password="mat-khau-1",
                 admin_password_confirm="mat-khau-1")  # fmt: skip
    assert clerks.sign_in(ctx, "quantri", "mat-khau-1").is_admin
    ctx.db.close()


def test_clerks_are_managed_by_an_administrator(ctx, admin):
    lan = clerks.create_clerk(ctx, username="lan.nt", full_name="Nguyễn Thị Lan",
                              password="lan-12345", acting=admin)  # fmt: skip
    assert clerks.sign_in(ctx, "lan.nt", "lan-12345") == lan
    with pytest.raises(NotAllowed):
        clerks.create_clerk(ctx, username="b", full_name="B", password="x" * 8, acting=lan)
    with pytest.raises(InvalidInput):
        clerks.create_clerk(ctx, username="lan.nt", full_name="Lan 2", password="x" * 8,
                            acting=admin)  # fmt: skip
    with pytest.raises(InvalidInput):
        clerks.create_clerk(ctx, username="Lan Anh", full_name="x", password="x" * 8,
                            acting=admin)  # fmt: skip
    clerks.change_password(ctx, "lan.nt", new_password="moi-12345", acting=lan)
    assert clerks.sign_in(ctx, "lan.nt", "moi-12345").username == "lan.nt"
    with pytest.raises(NotAllowed):
        clerks.change_password(ctx, "quantri", new_password="x" * 8, acting=lan)


def test_settings_are_validated_and_saved_together(ctx, admin):
    current = settings.load_settings(ctx)
    assert current.print_mode == "preview" and current.idle_lock_minutes == 10
    hours = settings.parse_hours_text(
        {"mon": "07:00-11:30, 13:30-17:00", "sat": "07:30 - 11:30", "sun": ""}
    )
    assert hours["sat"] == [["07:30", "11:30"]] and hours["tue"] == []
    with pytest.raises(InvalidInput) as bad:
        settings.parse_hours_text({"mon": "7h-11h"})
    assert bad.value.field == "mon"
    current.server_url = "ftp://x"
    with pytest.raises(InvalidInput):
        settings.save_settings(ctx, current, acting=admin)
    assert settings.load_settings(ctx).server_url == ""
    current.server_url, current.office_hours = "https://mc.tinh.vn/", hours
    current.print_mode = "pdf"
    settings.save_settings(ctx, current, acting=admin)
    again = settings.load_settings(ctx)
    assert again.server_url == "https://mc.tinh.vn" and again.print_mode == "pdf"
    assert ctx.work_calendar().is_working_day(date(2026, 11, 28))  # Saturday now worked


def test_search_filters_and_today(test_catalog, clock):
    ctx = test_catalog
    first = register_dossier(ctx, registration())["code"]  # due Tue 1/12 09:00
    same_day = register_dossier(ctx, registration(procedure_code="T.SAME"))["code"]  # 17:00 today
    clock.now += timedelta(days=1)
    third = register_dossier(ctx, registration(procedure_code="T.CAL15"))["code"]
    codes = lambda found: sorted(d["code"] for d in found)  # noqa: E731
    assert codes(search_dossiers(ctx, received_from=clock.now.date())) == [third]
    assert codes(search_dossiers(ctx, procedure_code="T.SAME")) == [same_day]
    assert codes(search_dossiers(ctx, "nguyen", overdue=True)) == [same_day]
    assert codes(search_dossiers(ctx, statuses=[2])) == sorted([first, same_day, third])
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=OFFICE_TZ)
    transitions.agency_set_status(ctx, same_day, "result_ready")
    today = worklists.today_lists(ctx)
    assert codes(today.due_today) == [first]
    assert codes(today.waiting_hand_back) == [same_day]
    assert today.overdue == [] and today.received_today == []
    summary = worklists.sync_summary(ctx)
    assert summary.waiting == 4 and not summary.server_configured


def test_procedures_are_found_without_diacritics(test_catalog):
    choices = reception.procedure_choices(test_catalog)
    assert [c.code for c in reception.match_procedures(choices, "ket hon (thu")] == ["T.WD3"]
    assert [c.code for c in reception.match_procedures(choices, "KẾT hôn (thử)")] == ["T.WD3"]
    assert reception.match_procedures(choices, "t.same")[0].code == "T.SAME"
    chosen = reception.match_procedures(choices, "ket hon (thu)")[0]
    assert reception.preview_appointment(test_catalog, chosen).isoformat() == (
        "2026-12-01T09:00:00+07:00"
    )


def test_refusal_and_supplement_at_the_counter(test_catalog):
    ctx = test_catalog
    with pytest.raises(InvalidInput):
        reception.refuse_at_counter(ctx, registration(), reason=" ")
    assert search_dossiers(ctx) == []  # nothing saved
    refused = reception.refuse_at_counter(ctx, registration(), reason="Không thuộc thẩm quyền")
    assert refused["status"] == "refused"
    waiting = reception.supplement_at_counter(ctx, registration(), reason="Thiếu tờ khai")
    assert waiting["status"] == "supplement_requested"


def test_rating_after_hand_back(test_catalog):
    ctx = test_catalog
    code = register_dossier(ctx, registration())["code"]
    with pytest.raises(NotAllowed):
        ratings.rate(ctx, code, "satisfied")
    transitions.agency_set_status(ctx, code, "result_ready")
    transitions.hand_back(ctx, code, collected_by="Nguyễn Văn Dũng")
    with pytest.raises(InvalidInput) as missing:
        ratings.rate(ctx, code, "dissatisfied", reason="  ")
    assert missing.value.field == "reason"
    assert ratings.rating_of(ctx, code) is None
    done = ratings.rate(ctx, code, "dissatisfied", reason="Chờ lâu")
    assert ratings.rating_of(ctx, code)["level_label"] == "KHÔNG HÀI LÒNG" == done["level_label"]
    with pytest.raises(NotAllowed):
        ratings.rate(ctx, code, "satisfied")
    with ctx.db.read() as s:
        assert s.scalars(select(OutboxItem.kind).order_by(OutboxItem.id.desc())).first() == (
            "dossier.rated"
        )


def test_status_bar_reads_what_the_sync_runner_writes(ctx):
    from counter_app.services.context import put_setting
    from counter_app.sync import engine

    assert worklists.LAST_SUCCESS_KEY == engine.LAST_SUCCESS
    assert worklists.LAST_ATTEMPT_KEY == engine.LAST_ATTEMPT
    assert worklists.LAST_ERROR_KEY == engine.LAST_ERROR
    assert worklists.CLOCK_SKEW_KEY == engine.CLOCK_SKEW
    assert worklists.CLOCK_SKEW_WARNING_SECONDS == engine.p.CLOCK_SKEW_WARNING_SECONDS
    assert worklists.TOKEN_KEY == engine.TOKEN and engine.SERVER_URL == "server_url"
    assert worklists.sync_summary(ctx).online is None
    with ctx.db.write() as s:
        put_setting(s, engine.LAST_ATTEMPT, "2026-11-26T09:05:00+07:00")
        put_setting(s, engine.LAST_SUCCESS, "2026-11-26T09:00:00+07:00")
        put_setting(s, engine.LAST_ERROR, {"at": "2026-11-26T09:05:00+07:00", "message": "x"})
    summary = worklists.sync_summary(ctx)
    assert summary.online is False and summary.last_success.hour == 9
    with ctx.db.write() as s:
        put_setting(s, engine.LAST_SUCCESS, "2026-11-26T09:10:00+07:00")
    assert worklists.sync_summary(ctx).online is True
