"""Statistics of the office for a period, and the Excel exports (register, statistics).

No Qt here: the statistics screen, `counter-app report` and the tests call the same functions.

What is counted, for a period of office days `date_from`..`date_to` (both included, office time
Asia/Ho_Chi_Minh, at most `MAX_REPORT_DAYS` days, not starting after today):

- Scope: every dossier in this station's database, that is the whole office (unit): dossiers of
  the other counters of the unit arrive here by sync. (The register book stays per counter, as
  the printed book is.)
- received ("Tiếp nhận"): dossiers whose receipt day is in the period and that were not refused
  (status 3 "Từ chối tiếp nhận": Form 03 means *not* received). Dossiers later withdrawn, or
  received incomplete and waiting for a supplement, were received and count here.
- refused ("Từ chối tiếp nhận"): dossiers of those receipt days refused at the desk; counted
  apart, never in received/open/overdue.
- resolved ("Đã giải quyết") and its split early / on time / late ("trước hạn / đúng hạn /
  quá hạn", as in the one-stop reports of Circular 01/2018 and its successors): dossiers whose
  result became ready (status 9) in the period. The office day of that moment is compared with
  the office day of the dossier's appointment (`appointment_at`, which already includes the
  time added for supplements): before the appointment day = early, on it = on time, after it =
  late. The moment the result was *ready* is what is judged, not the day the citizen came for
  it: a citizen collecting late does not make the office late. A Form 04 (apology and new
  date) does not change the appointment; a dossier late with an apology is still late.
- stopped ("Dừng xử lý"): dossiers the agency stopped (status 8) in the period; not resolved.
- returned ("Đã trả kết quả"): dossiers handed back (status 10) in the period, whatever day
  their result was ready; withdrawn ("Rút hồ sơ"): withdrawals (status 7) in the period.
- open ("Đang giải quyết") and overdue ("Quá hạn"), as of the report's cutoff, the end of the
  period or now for a period not yet over: dossiers received before the cutoff that had not
  yet reached a final or resolved status (refused, withdrawn, stopped, result ready, returned)
  by then. Overdue: those among them whose appointment had passed at the cutoff while the clock
  was running; for dossiers still open now this is the "Quá hạn" list of the Today screen
  (received or processing; not while the citizen owes a supplement or a payment). For a
  past period, a dossier resolved since is judged on its appointment alone.
- satisfaction ("Đánh giá"): the citizens' ratings (audit rows "dossier.rate") of the dossiers
  returned in the period, by level.
- the late list ("Quá hạn"): the dossiers resolved late in the period, then the dossiers open
  and overdue at the cutoff, each with the first Form 04 printed for it (audit rows
  "print.form04"): the day it was issued and whether that was before the appointment, as the
  rule asks. Working days late are counted with the office's working calendar.

Access: the figures carry no personal data and any clerk may see and export them; the late
list names the applicants (and the register workbook is a bulk export of personal data,
Decree 13/2023/NĐ-CP) only for a supervisor or an administrator. Every export is in the audit
log ("export.statistics", "export.register_book").

Speed: everything is counted in SQLite with grouped queries: the month's receipt days through
their index, the currently open dossiers through the status index, and one pass over the status
events of the period (a second one, for a past period, over the events since its end): a range
read of the index on status_events (to_status, at, dossier_id) (counter migration 0006), which
also covers the columns read. Without it (`bench/report_statistics.py --without-event-index`) that
pass read the whole `status_events` table: several seconds for 1,000,000 dossiers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.period import check_period as check_days
from counter_app.domain.status import Status
from counter_app.services.context import Context, Office, load_clerk, load_office, record

MAX_REPORT_DAYS = 366
NO_SECTOR = "(Chưa phân lĩnh vực)"
LEVELS = ("very_satisfied", "satisfied", "dissatisfied")
# Statuses a dossier leaves processing by: it cannot be "open" again afterwards.
_DONE = (
    int(Status.REFUSED),
    int(Status.WITHDRAWN),
    int(Status.STOPPED),
    int(Status.RESULT_READY),
    int(Status.RETURNED),
)
_OPEN = (
    int(Status.RECEIVED),
    int(Status.PROCESSING),
    int(Status.SUPPLEMENT_REQUESTED),
    int(Status.FINANCIAL_OBLIGATION),
)
_CLOCK_RUNNING = (int(Status.RECEIVED), int(Status.PROCESSING))


# -- the period --------------------------------------------------------------------------------


def check_period(date_from: date, date_to: date, today: date | None = None) -> None:
    check_days(date_from, date_to, max_days=MAX_REPORT_DAYS, doing="thống kê")
    if today is not None and date_from > today:
        raise InvalidInput(
            f"Kỳ thống kê bắt đầu {date_from:%d/%m/%Y}, sau hôm nay ({today:%d/%m/%Y}); "
            "chọn một kỳ đã bắt đầu.",
            field="from",
        )


def _office_start(day: date) -> datetime:
    return datetime.combine(day, time(0), OFFICE_TZ)


def _utc_text(moment: datetime) -> str:
    """The stored form of a UTCDateTime column (ISO text in UTC, microseconds)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).astimezone(OFFICE_TZ)


# -- results -----------------------------------------------------------------------------------


@dataclass
class Counts:
    received: int = 0
    refused: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    stopped: int = 0
    returned: int = 0
    withdrawn: int = 0
    open: int = 0
    overdue: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def in_time(self) -> int:
        """Resolved early or on time ("đúng hạn" in the wide sense of the reports)."""
        return self.early + self.on_time

    @property
    def in_time_percent(self) -> float | None:
        return round(100 * self.in_time / self.resolved, 1) if self.resolved else None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


# The columns of the figures, in the clerk's words, in the order of the tables.
COUNT_LABELS: tuple[tuple[str, str], ...] = (
    ("received", "Tiếp nhận"),
    ("refused", "Từ chối tiếp nhận"),
    ("resolved", "Đã giải quyết"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("stopped", "Dừng xử lý"),
    ("returned", "Đã trả kết quả"),
    ("withdrawn", "Rút hồ sơ"),
    ("open", "Đang giải quyết"),
    ("overdue", "Đang giải quyết quá hạn"),
)
LEVEL_LABELS = {
    "very_satisfied": "Rất hài lòng",
    "satisfied": "Hài lòng",
    "dissatisfied": "Không hài lòng",
}


@dataclass
class GroupRow:
    """The figures of one procedure (key: its code) or one sector (key: its name)."""

    key: str
    name: str
    sector: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Satisfaction:
    very_satisfied: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    returned: int = 0  # dossiers returned in the period (the ones that could be rated)

    @property
    def rated(self) -> int:
        return self.very_satisfied + self.satisfied + self.dissatisfied

    def percent(self, level: str) -> float | None:
        return round(100 * getattr(self, level) / self.rated, 1) if self.rated else None


@dataclass
class LateDossier:
    code: str
    procedure_code: str
    procedure: str
    sector: str
    received_at: datetime
    appointment_at: datetime
    resolved_at: datetime | None  # None: still open at the cutoff
    status_label: str
    working_days_late: int
    apology_at: datetime | None = None  # the first Form 04 printed
    apology_before_due: bool | None = None
    applicant: str = ""  # only for a supervisor
    phone: str = ""

    @property
    def state_vi(self) -> str:
        return "Đã giải quyết, quá hạn" if self.resolved_at else "Đang giải quyết, quá hạn"

    @property
    def apology_vi(self) -> str:
        if self.apology_at is None:
            return "Chưa có"
        when = f"{self.apology_at.astimezone(OFFICE_TZ):%d/%m/%Y}"
        return f"Có, ngày {when}" + ("" if self.apology_before_due else " (sau ngày hẹn)")


@dataclass
class Statistics:
    unit_code: str
    unit_name: str
    date_from: date
    date_to: date
    cutoff: datetime  # open and overdue are as of this moment
    generated_at: datetime
    totals: Counts
    by_procedure: list[GroupRow]
    by_sector: list[GroupRow]
    satisfaction: Satisfaction
    late: list[LateDossier]
    names_shown: bool

    @property
    def ongoing(self) -> bool:
        return self.cutoff < _office_start(self.date_to + timedelta(days=1))

    def period_vi(self) -> str:
        return f"từ ngày {self.date_from:%d/%m/%Y} đến ngày {self.date_to:%d/%m/%Y}"

    def cutoff_vi(self) -> str:
        return f"{self.cutoff.astimezone(OFFICE_TZ):%H:%M %d/%m/%Y}"

    def to_dict(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.astimezone(OFFICE_TZ).isoformat()
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            return value

        data = convert(asdict(self))
        data["totals"]["in_time_percent"] = self.totals.in_time_percent
        data["satisfaction"]["rated"] = self.satisfaction.rated
        return data

    def summary_vi(self) -> list[str]:
        t, s = self.totals, self.satisfaction
        lines = [
            f"Thống kê hồ sơ {self.unit_name} ({self.unit_code}) {self.period_vi()}",
            f"Tiếp nhận: {t.received}; từ chối tiếp nhận: {t.refused}; rút hồ sơ: {t.withdrawn}.",
            f"Đã giải quyết: {t.resolved} (trước hạn {t.early}, đúng hạn {t.on_time}, "
            f"quá hạn {t.late})"
            + (f"; đúng hạn {t.in_time_percent:.1f} %".replace(".", ",") if t.resolved else "")
            + f". Dừng xử lý: {t.stopped}. Đã trả kết quả: {t.returned}.",
            f"Đang giải quyết lúc {self.cutoff_vi()}: {t.open}, trong đó quá hạn {t.overdue}.",
            f"Đánh giá: rất hài lòng {s.very_satisfied}, hài lòng {s.satisfied}, "
            f"không hài lòng {s.dissatisfied} (trên {s.returned} hồ sơ đã trả).",
        ]
        if self.by_sector:
            lines.append("Theo lĩnh vực:")
            for row in self.by_sector:
                c = row.counts
                lines.append(
                    f"  {row.name}: tiếp nhận {c.received}, giải quyết {c.resolved} "
                    f"(trước hạn {c.early}, đúng hạn {c.on_time}, quá hạn {c.late}), "
                    f"đang giải quyết {c.open} (quá hạn {c.overdue})"
                )
        if self.late:
            with_apology = sum(1 for d in self.late if d.apology_at is not None)
            lines.append(
                f"Hồ sơ quá hạn: {len(self.late)}, đã có Phiếu xin lỗi (Mẫu 04): {with_apology}."
            )
        return lines


# -- the queries -------------------------------------------------------------------------------

_RECEIVED_SQL = text(
    """
    SELECT procedure_id,
           SUM(status NOT IN (:submitted, :refused)) AS received,
           SUM(status = :refused) AS refused
    FROM dossiers
    WHERE receipt_day >= :day_from AND receipt_day <= :day_to
    GROUP BY procedure_id
    """
)
# The office day of a stored UTC moment: drop the fraction and offset (always UTC), shift.
_DAY = "date(substr({}, 1, 19), :shift)"
_LATE = f"{_DAY.format('e.at')} > {_DAY.format('d.appointment_at')}"
# The one pass over the period's status events: counts per procedure, the dossiers resolved
# late ("id@when", their rows read afterwards by primary key) and the codes of those returned.
_EVENTS_SQL = text(
    f"""
    SELECT d.procedure_id,
      COUNT(DISTINCT CASE WHEN e.to_status = :ready THEN e.dossier_id END) AS resolved,
      COUNT(DISTINCT CASE WHEN e.to_status = :ready
            AND {_DAY.format("e.at")} < {_DAY.format("d.appointment_at")}
            THEN e.dossier_id END) AS early,
      COUNT(DISTINCT CASE WHEN e.to_status = :ready
            AND {_DAY.format("e.at")} = {_DAY.format("d.appointment_at")}
            THEN e.dossier_id END) AS on_time,
      COUNT(DISTINCT CASE WHEN e.to_status = :ready AND {_LATE}
            THEN e.dossier_id END) AS late,
      COUNT(DISTINCT CASE WHEN e.to_status = :stopped THEN e.dossier_id END) AS stopped,
      COUNT(DISTINCT CASE WHEN e.to_status = :returned THEN e.dossier_id END) AS returned,
      COUNT(DISTINCT CASE WHEN e.to_status = :withdrawn THEN e.dossier_id END) AS withdrawn,
      group_concat(DISTINCT CASE WHEN e.to_status = :ready AND {_LATE}
                   THEN e.dossier_id || '@' || e.at END) AS late_ids,
      group_concat(DISTINCT CASE WHEN e.to_status = :returned THEN d.code END)
        AS returned_codes
    FROM status_events e JOIN dossiers d ON d.id = e.dossier_id
    WHERE e.to_status IN (:ready, :stopped, :returned, :withdrawn)
      AND e.at >= :start AND e.at < :end
    GROUP BY d.procedure_id
    """
)
# Open now, hence open at any earlier cutoff they had been received by.
_OPEN_NOW_SQL = text(
    """
    SELECT procedure_id, COUNT(*) AS open,
           SUM(status IN :running AND appointment_at < :cutoff) AS overdue
    FROM dossiers
    WHERE status IN :open AND received_at < :cutoff
    GROUP BY procedure_id
    """
).bindparams(bindparam("running", expanding=True), bindparam("open", expanding=True))
_LATE_COLUMNS = (
    "d.code, d.procedure_id, d.applicant_name, d.applicant_phone, d.received_at, "
    "d.appointment_at, d.status"
)
# Done now, but only after the cutoff (past periods only): one row per dossier. In the
# correlated subqueries a unary + keeps SQLite on the dossier_id index, whatever other index
# on status_events exists (one on (to_status, at) would otherwise be read for every dossier).
_OPEN_THEN_SQL = text(
    f"""
    SELECT {_LATE_COLUMNS}, NULL AS resolved_at
    FROM dossiers d
    WHERE d.id IN (SELECT dossier_id FROM status_events
                   WHERE to_status IN :done AND at >= :cutoff)
      AND d.received_at < :cutoff AND d.status NOT IN :open
      AND NOT EXISTS (SELECT 1 FROM status_events x
                      WHERE x.dossier_id = d.id AND +x.to_status IN :done AND +x.at < :cutoff)
    """
).bindparams(bindparam("done", expanding=True), bindparam("open", expanding=True))
_RATINGS_SQL = text(
    """
    SELECT json_extract(details, '$.level') AS level, COUNT(DISTINCT entity_id)
    FROM audit_log
    WHERE entity = 'dossier' AND entity_id IN :codes AND action = 'dossier.rate'
    GROUP BY level
    """
).bindparams(bindparam("codes", expanding=True))
_LATE_RESOLVED_SQL = text(
    f"SELECT d.id, {_LATE_COLUMNS} FROM dossiers d WHERE d.id IN :ids"
).bindparams(bindparam("ids", expanding=True))
_LATE_OPEN_NOW_SQL = text(
    f"""
    SELECT {_LATE_COLUMNS}, NULL AS resolved_at
    FROM dossiers d
    WHERE d.status IN :running AND d.appointment_at < :cutoff AND d.received_at < :cutoff
    """
).bindparams(bindparam("running", expanding=True))
_APOLOGIES_SQL = text(
    """
    SELECT entity_id, MIN(at) FROM audit_log
    WHERE entity = 'dossier' AND entity_id IN :codes AND action = 'print.form04'
    GROUP BY entity_id
    """
).bindparams(bindparam("codes", expanding=True))
_CHUNK = 500  # bound parameters per IN list


def _split(text_value: str | None) -> list[str]:
    return text_value.split(",") if text_value else []


def _chunks(values: list, size: int = _CHUNK):
    for index in range(0, len(values), size):
        yield values[index : index + size]


def _procedures(session: Session) -> dict[int, tuple[str, str, str]]:
    """procedure id -> (code, name, sector) of that version."""
    rows = session.execute(text("SELECT id, code, name, sector FROM procedures"))
    return {row[0]: (row[1], row[2], (row[3] or "").strip() or NO_SECTOR) for row in rows}


def _latest_names(session: Session) -> dict[str, str]:
    """procedure code -> the name of its newest version (a renamed procedure is one row)."""
    rows = session.execute(text("SELECT code, name FROM procedures ORDER BY code, version"))
    return {code: name for code, name in rows}


def _working_days_late(calendar, due_day: date, last_day: date) -> int:
    """Working days after the appointment day up to `last_day` (office days); at least 1 when
    `last_day` is a later day (a result ready on the Saturday after a Friday appointment is one
    day late), 0 for an appointment passed earlier the same day."""
    day, count = due_day, 0
    while day < last_day:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return max(count, 1) if last_day > due_day else 0


def period_statistics(
    ctx: Context, date_from: date, date_to: date, *, clerk: str | None = None
) -> Statistics:
    """The office's figures for a period (see the module's docstring for what counts)."""
    from counter_app.services.clerks import ROLE_RANK, check_acting

    now = ctx.now().astimezone(OFFICE_TZ)
    check_period(date_from, date_to, now.date())
    start, end = _office_start(date_from), _office_start(date_to + timedelta(days=1))
    cutoff = min(end, now)
    shift = f"+{int(OFFICE_TZ.utcoffset(start).total_seconds() // 60)} minutes"
    window = {"start": _utc_text(start), "end": _utc_text(end), "shift": shift}
    statuses = {
        "ready": int(Status.RESULT_READY),
        "stopped": int(Status.STOPPED),
        "returned": int(Status.RETURNED),
        "withdrawn": int(Status.WITHDRAWN),
    }
    at_cutoff = {"cutoff": _utc_text(cutoff), "open": list(_OPEN)}
    with ctx.db.read() as session:
        acting = check_acting(session, clerk, "clerk", "xem thống kê hồ sơ")
        names_shown = acting is None or ROLE_RANK.get(acting.role, 0) >= ROLE_RANK["supervisor"]
        office = load_office(session)
        procedures = _procedures(session)
        latest = _latest_names(session)
        per_id: dict[int, Counts] = {}

        def counts_of(procedure_id: int) -> Counts:
            return per_id.setdefault(procedure_id, Counts())

        for pid, received, refused in session.execute(
            _RECEIVED_SQL,
            {
                "day_from": date_from.isoformat(),
                "day_to": date_to.isoformat(),
                "submitted": int(Status.SUBMITTED_ONLINE),
                "refused": int(Status.REFUSED),
            },
        ):
            c = counts_of(pid)
            c.received, c.refused = int(received or 0), int(refused or 0)
        resolved_late: dict[int, str] = {}  # dossier id -> when its result was ready
        returned_codes: set[str] = set()
        for row in session.execute(_EVENTS_SQL, window | statuses):
            c = counts_of(row[0])
            (c.resolved, c.early, c.on_time, c.late, c.stopped, c.returned, c.withdrawn) = (
                int(v or 0) for v in row[1:8]
            )
            for entry in _split(row[8]):
                dossier_id, _, when = entry.partition("@")
                key = int(dossier_id)
                resolved_late[key] = min(when, resolved_late.get(key, when))
            returned_codes.update(_split(row[9]))
        for pid, open_count, overdue in session.execute(
            _OPEN_NOW_SQL, at_cutoff | {"running": list(_CLOCK_RUNNING)}
        ):
            c = counts_of(pid)
            c.open, c.overdue = int(open_count or 0), int(overdue or 0)
        late_rows = []
        for chunk in _chunks(sorted(resolved_late)):
            for dossier_id, *row in session.execute(_LATE_RESOLVED_SQL, {"ids": chunk}):
                late_rows.append((*row, resolved_late[dossier_id]))
        late_rows += session.execute(
            _LATE_OPEN_NOW_SQL, at_cutoff | {"running": list(_CLOCK_RUNNING)}
        )
        if cutoff < now:
            for row in session.execute(_OPEN_THEN_SQL, at_cutoff | {"done": list(_DONE)}):
                c = counts_of(row[1])
                c.open += 1
                if _moment(row[5]) < cutoff:
                    c.overdue += 1
                    late_rows.append(row)

        satisfaction = Satisfaction(returned=len(returned_codes))
        for chunk in _chunks(sorted(returned_codes)):
            for level, count in session.execute(_RATINGS_SQL, {"codes": chunk}):
                if level in LEVELS:
                    setattr(satisfaction, level, getattr(satisfaction, level) + int(count))
        apologies: dict[str, datetime] = {}
        codes = [row[0] for row in late_rows]
        for chunk in _chunks(codes):
            for code, at in session.execute(_APOLOGIES_SQL, {"codes": chunk}):
                apologies[code] = _moment(at)

    by_code: dict[str, GroupRow] = {}
    by_sector: dict[str, GroupRow] = {}
    totals = Counts()
    for pid, counts in per_id.items():
        code, name, sector = procedures.get(pid, ("?", "?", NO_SECTOR))
        row = by_code.setdefault(code, GroupRow(code, latest.get(code, name), sector))
        row.counts.add(counts)
        by_sector.setdefault(sector, GroupRow(sector, sector, sector)).counts.add(counts)
        totals.add(counts)

    late = []
    calendar, days_late = ctx.work_calendar(), {}
    for code, pid, applicant, phone, received_at, appointment_at, status, resolved_at in late_rows:
        procedure_code, name, sector = procedures.get(pid, ("?", "?", NO_SECTOR))
        due, resolved = _moment(appointment_at), _moment(resolved_at)
        span = (due.date(), (resolved or cutoff).astimezone(OFFICE_TZ).date())
        if span not in days_late:
            days_late[span] = _working_days_late(calendar, *span)
        apology = apologies.get(code)
        late.append(
            LateDossier(
                code=code,
                procedure_code=procedure_code,
                procedure=latest.get(procedure_code, name),
                sector=sector,
                received_at=_moment(received_at),
                appointment_at=due,
                resolved_at=resolved,
                status_label=Status(status).label_vi,
                working_days_late=days_late[span],
                apology_at=apology,
                apology_before_due=None if apology is None else apology < due,
                applicant=applicant if names_shown else "",
                phone=phone if names_shown else "",
            )
        )
    late.sort(key=lambda d: (d.resolved_at is None, d.appointment_at, d.code))

    def ordered(rows: dict[str, GroupRow]) -> list[GroupRow]:
        return sorted(rows.values(), key=lambda r: (r.name == NO_SECTOR, r.name.casefold()))

    return Statistics(
        unit_code=office.unit_code,
        unit_name=office.unit_name,
        date_from=date_from,
        date_to=date_to,
        cutoff=cutoff,
        generated_at=now,
        totals=totals,
        by_procedure=ordered(by_code),
        by_sector=ordered(by_sector),
        satisfaction=satisfaction,
        late=late,
        names_shown=names_shown,
    )


# -- exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    what: str
    path: Path
    rows: int

    def summary_vi(self) -> str:
        return f"Đã xuất {self.what} ({self.rows} dòng): {self.path}"


def _xlsx_path(out: Path) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InvalidInput(f"Tệp «{out.name}» phải có đuôi .xlsx (sổ tính Excel).", field="out")
    return out


def _write(out: Path, data: bytes) -> Path:
    out = _xlsx_path(out)
    out.write_bytes(data)
    return out


def _letterhead(session: Session, office: Office):
    from counter_app.services.printing import _letterhead as letterhead

    return letterhead(session, office)


def export_statistics(
    ctx: Context,
    date_from: date,
    date_to: date,
    out: Path,
    *,
    clerk: str | None = None,
    statistics: Statistics | None = None,
) -> Exported:
    """The statistics workbook (Tổng hợp, Theo thủ tục, Theo lĩnh vực, Quá hạn, Đánh giá).

    `statistics` already computed for the same period and clerk (the screen's) is reused.
    """
    from counter_app.printing.workbooks import statistics_workbook

    stats = statistics or period_statistics(ctx, date_from, date_to, clerk=clerk)
    now = ctx.now()
    with ctx.db.write() as session:
        acting = load_clerk(session, clerk)
        data = statistics_workbook(stats, _letterhead(session, load_office(session)), now)
        path = _write(out, data)
        record(
            session,
            now,
            clerk_id=acting.id,
            action="export.statistics",
            entity="statistics",
            entity_id=f"{date_from.isoformat()}/{date_to.isoformat()}",
            details={
                "file": str(path),
                "late": len(stats.late),
                "names": stats.names_shown,
            },
        )
    return Exported("thống kê hồ sơ", path, len(stats.by_procedure))


def export_register_book(
    ctx: Context, date_from: date, date_to: date, out: Path, *, clerk: str | None = None
) -> Exported:
    """The register of this counter's dossiers (Sổ theo dõi hồ sơ) as an Excel workbook.

    A bulk export of personal data: supervisors and administrators only, as the printed book.
    """
    from counter_app.printing.workbooks import register_workbook
    from counter_app.services.printing import make_register_book

    out = _xlsx_path(out)
    rows, _ = make_register_book(
        ctx,
        date_from,
        date_to,
        register_workbook,
        out=out,
        clerk=clerk,
        action="export",
        details={"format": "xlsx"},
    )
    return Exported("sổ theo dõi hồ sơ", out, len(rows))
