"""Statistics for a period: what counts as received, early/on time/late, open and overdue."""

from datetime import date, datetime, timedelta

import pytest
from support import APPLICANT, registration

from counter_app.domain.errors import InvalidInput, NotAllowed
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.period import parse_day
from counter_app.services import clerks
from counter_app.services.printing import print_form
from counter_app.services.ratings import rate
from counter_app.services.reception import refuse_at_counter
from counter_app.services.registration import register_dossier
from counter_app.services.reports import (
    check_period,
    export_register_book,
    export_statistics,
    period_statistics,
)
from counter_app.services.transitions import (
    agency_set_status,
    hand_back,
    request_supplement,
    withdraw,
)

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def at(day: int, hour: int = 9, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=OFFICE_TZ)


class Office:
    """Drives the station's clock while dossiers are received and move on."""

    def __init__(self, ctx, clock):
        self.ctx, self.clock, self.count = ctx, clock, 0

    def receive(self, when: datetime, procedure: str = "T.WD3", name: str = "") -> dict:
        self.clock.now = when
        self.count += 1
        person = dict(APPLICANT, full_name=name or f"Người nộp {self.count}")
        person["id_number"] = f"0010900{self.count:05d}"
        return register_dossier(self.ctx, registration(procedure_code=procedure, applicant=person))

    def ready(self, dossier: dict, when: datetime) -> None:
        self.clock.now = when
        agency_set_status(self.ctx, dossier["code"], "processing")
        agency_set_status(self.ctx, dossier["code"], "result_ready")

    def back(self, dossier: dict, when: datetime, level: str | None = None) -> None:
        self.clock.now = when
        hand_back(self.ctx, dossier["code"])
        if level:
            rate(
                self.ctx,
                dossier["code"],
                level,
                reason="Chờ lâu" if level == "dissatisfied" else "",
            )


def appointment(dossier: dict) -> datetime:
    return datetime.fromisoformat(dossier["appointment_at"]).astimezone(OFFICE_TZ)


@pytest.fixture
def office(test_catalog, clock):
    return Office(test_catalog, clock)


@pytest.fixture
def november(office, clock):
    """A month of an office, seen on Thursday 26 November 2026 at 09:00."""
    o, made = office, {}
    made["before"] = o.receive(at(30, month=10))  # received in October, result in November
    o.ready(made["before"], at(2, 10))
    made["early"] = o.receive(at(2), name="Trần Thị Sớm")
    o.ready(made["early"], appointment(made["early"]) - timedelta(days=1))
    o.back(made["early"], appointment(made["early"]), "very_satisfied")
    made["on_time"] = o.receive(at(3))
    o.ready(made["on_time"], appointment(made["on_time"]).replace(hour=16))
    o.back(made["on_time"], appointment(made["on_time"]) + timedelta(days=6), "dissatisfied")
    made["late"] = o.receive(at(4, 10), "T.SAME", name="Lê Văn Muộn")  # due 17:00 the same day
    o.clock.now = at(4, 11)
    print_form(o.ctx, made["late"]["code"], "04", new_appointment=at(5, 17), reason="Chờ xác minh")
    o.ready(made["late"], at(5, 10))
    made["overdue"] = o.receive(at(5), name="Phạm Quá Hạn")
    o.clock.now = at(6)
    agency_set_status(o.ctx, made["overdue"]["code"], "processing")
    o.clock.now = at(6, 10)
    refuse_at_counter(o.ctx, registration(), reason="Sai thẩm quyền")
    made["withdrawn"] = o.receive(at(9))
    o.clock.now = at(10)
    withdraw(o.ctx, made["withdrawn"]["code"], reason="Công dân xin rút")
    made["waiting"] = o.receive(at(10), name="Đỗ Chờ Bổ Sung")
    o.clock.now = at(10, 10)
    request_supplement(o.ctx, made["waiting"]["code"], reason="Thiếu giấy xác nhận")
    made["open"] = o.receive(at(20), "T.CAL15")  # due in December
    clock.now = at(26, 9)
    made["ctx"] = o.ctx
    return made


def test_a_month_of_counts_by_procedure_and_sector(november):
    stats = period_statistics(november["ctx"], *NOVEMBER)
    t = stats.totals
    # Received: 7 dossiers received in November, not the October one nor the refused one.
    assert (t.received, t.refused, t.withdrawn) == (7, 1, 1)
    # Resolved in November: the October dossier and one more early, one on time, one late.
    assert (t.resolved, t.early, t.on_time, t.late) == (4, 2, 1, 1)
    assert (t.returned, t.stopped) == (2, 0)
    # Open on the 26th: overdue, waiting for a supplement (clock stopped), the December one.
    assert (t.open, t.overdue) == (3, 1)
    assert t.in_time_percent == 75.0

    sectors = {row.name: row.counts for row in stats.by_sector}
    assert set(sectors) == {"Hộ tịch", "Chứng thực", "Bảo trợ xã hội"}
    assert (sectors["Chứng thực"].received, sectors["Chứng thực"].late) == (1, 1)
    assert (sectors["Hộ tịch"].received, sectors["Hộ tịch"].refused) == (5, 1)
    assert (sectors["Hộ tịch"].open, sectors["Hộ tịch"].overdue) == (2, 1)
    assert (sectors["Bảo trợ xã hội"].open, sectors["Bảo trợ xã hội"].overdue) == (1, 0)
    procedures = {row.key: row for row in stats.by_procedure}
    assert procedures["T.WD3"].name == "Đăng ký kết hôn (thử)"
    assert procedures["T.WD3"].counts.early == 2

    s = stats.satisfaction
    assert (s.very_satisfied, s.satisfied, s.dissatisfied, s.returned) == (1, 0, 1, 2)
    assert s.percent("very_satisfied") == 50.0


def test_the_late_list_says_whether_an_apology_was_issued(november):
    stats = period_statistics(november["ctx"], *NOVEMBER)
    assert [d.code for d in stats.late] == [november["late"]["code"], november["overdue"]["code"]]
    late, overdue = stats.late
    assert late.resolved_at == at(5, 10) and late.state_vi == "Đã giải quyết, quá hạn"
    assert late.apology_at == at(4, 11) and late.apology_before_due is True
    assert late.apology_vi == "Có, ngày 04/11/2026"
    assert late.working_days_late == 1 and late.sector == "Chứng thực"
    assert overdue.resolved_at is None and overdue.apology_at is None
    assert overdue.apology_vi == "Chưa có" and overdue.status_label == "Đang xử lý"
    # Appointment Tuesday 10/11 (3 working days after Thursday 5/11); seen Thursday 26/11.
    assert appointment(november["overdue"]).date() == date(2026, 11, 10)
    assert overdue.working_days_late == 11  # 11/11-26/11 less weekends and 24/11 (day off)
    # The acting administrator sees the names.
    assert stats.names_shown and late.applicant == "Lê Văn Muộn"


def test_an_apology_printed_after_the_due_date_is_marked_late(office, clock):
    dossier = office.receive(at(2, 10), "T.SAME")
    clock.now = at(3, 9)
    print_form(office.ctx, dossier["code"], "04", new_appointment=at(4, 17), reason="Chậm")
    stats = period_statistics(office.ctx, *NOVEMBER)
    (entry,) = stats.late
    assert entry.apology_before_due is False
    assert entry.apology_vi == "Có, ngày 03/11/2026 (sau ngày hẹn)"


def test_a_past_period_counts_what_was_open_at_its_end(november, office, clock):
    # The overdue dossier gets its result in December; seen later, 1-15 November still had it
    # open and overdue, while the early dossier was already resolved by then.
    clock.now = at(1, 10, month=12)
    agency_set_status(office.ctx, november["overdue"]["code"], "result_ready")
    clock.now = at(10, 9, month=12)
    stats = period_statistics(office.ctx, date(2026, 11, 1), date(2026, 11, 15))
    assert stats.cutoff == datetime(2026, 11, 16, tzinfo=OFFICE_TZ) and not stats.ongoing
    # Open at the end of the 15th: overdue one (now resolved), the supplement one.
    assert (stats.totals.open, stats.totals.overdue) == (2, 1)
    assert november["overdue"]["code"] in [d.code for d in stats.late]
    # December sees it resolved late.
    december = period_statistics(office.ctx, date(2026, 12, 1), date(2026, 12, 10))
    assert (december.totals.resolved, december.totals.late) == (1, 1)
    assert december.ongoing


def test_an_empty_period_and_bad_periods(office, clock):
    stats = period_statistics(office.ctx, date(2026, 1, 1), date(2026, 1, 31))
    assert stats.totals.is_empty() and stats.by_sector == [] and stats.late == []
    assert stats.totals.in_time_percent is None and stats.satisfaction.percent("satisfied") is None
    assert "Tiếp nhận: 0" in "\n".join(stats.summary_vi())
    with pytest.raises(InvalidInput, match="trước ngày bắt đầu"):
        period_statistics(office.ctx, date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="tối đa 366 ngày"):
        period_statistics(office.ctx, date(2025, 1, 1), date(2026, 1, 31))
    with pytest.raises(InvalidInput, match="sau hôm nay"):
        period_statistics(office.ctx, date(2026, 11, 27), date(2026, 11, 30))
    check_period(date(2025, 11, 26), date(2026, 11, 26))  # 366 days, both included: allowed


def test_days_as_a_clerk_writes_them():
    assert parse_day(" 01/11/2026 ", "from") == date(2026, 11, 1)
    assert parse_day("2026-11-30", "to") == date(2026, 11, 30)
    for bad in ("31/02/2026", "2026/11/01", "", "hôm qua"):
        with pytest.raises(InvalidInput, match="DD/MM/YYYY") as caught:
            parse_day(bad, "from")
        assert caught.value.field == "from"


def test_a_clerk_sees_figures_without_names_and_cannot_export_the_register(
    november, office, tmp_path
):
    ctx = office.ctx
    admin = clerks.acting_clerk(ctx, None)
    clerks.create_clerk(
        ctx, username="lan.nt", full_name="Nguyễn Thị Lan", password="lan-12345", acting=admin
    )
    clerks.create_clerk(
        ctx,
        username="hoa.tt",
        full_name="Trần Thị Hoa",
        password="hoa-12345",
        role="supervisor",
        acting=admin,
    )
    seen = period_statistics(ctx, *NOVEMBER, clerk="lan.nt")
    assert seen.totals.received == 7 and len(seen.late) == 2
    assert not seen.names_shown and all(d.applicant == "" and d.phone == "" for d in seen.late)
    exported = export_statistics(ctx, *NOVEMBER, tmp_path / "thong-ke.xlsx", clerk="lan.nt")
    assert exported.path.exists()
    with pytest.raises(NotAllowed, match="lãnh đạo bộ phận"):
        export_register_book(ctx, *NOVEMBER, tmp_path / "so.xlsx", clerk="lan.nt")
    assert not (tmp_path / "so.xlsx").exists()
    book = export_register_book(ctx, *NOVEMBER, tmp_path / "so.xlsx", clerk="hoa.tt")
    assert book.rows == 8  # this counter's register: the refused dossier has its line too
    assert period_statistics(ctx, *NOVEMBER, clerk="hoa.tt").late[1].applicant == "Phạm Quá Hạn"
    with pytest.raises(InvalidInput, match=r"\.xlsx"):
        export_statistics(ctx, *NOVEMBER, tmp_path / "thong-ke.pdf")

    from sqlalchemy import select

    from counter_app.models import AuditEntry

    with ctx.db.read() as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.details).where(AuditEntry.action.like("export.%"))
        ).all()
    assert [a for a, _ in actions] == ["export.statistics", "export.register_book"]
    assert actions[0][1]["names"] is False and actions[1][1]["dossiers"] == 8
