"""A counter database with N dossiers of realistic, varied Vietnamese data, for the benchmarks.

    .venv/bin/python bench/generate.py [--size 1000000] [--seed 2026] [--force]

The office is created through the real code path (`open_context`: schema migrations, demo
catalog, calendar seed; `setup_office`; `create_clerk`), then three years of a busy one-stop
centre are written in bulk with raw sqlite3 in one transaction: dossiers numbered by the real
rule (unit-YYMMDD-NNNN, one sequence per station and working day; weekends and holidays skipped
by the office's own `WorkCalendar`), their documents, the status history (received, processing,
result ready, returned, with refusals, supplements, withdrawals, stops and late results),
print, hand-back and rating rows of the hash-chained audit log, acknowledged outbox rows with
the real payload shapes, and the FTS5 name index (rebuilt once at the end).

Applicants come from a population of citizens who come back now and then: surnames, middle
and given names drawn from Vietnamese distributions (Nguyễn ~38 %), 12-digit ID numbers that
follow the CCCD rule (province, century and gender digit, year of birth), mobile numbers with
real prefixes, addresses in real wards and communes.

Deterministic for a seed. The result is cached under `bench/.data/` by size, seed and
generator version; `database_path(size)` returns it, generating it when missing.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GENERATOR_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / ".data"
END_DAY = date(2026, 11, 25)  # the last receipt day; "today" of the benchmarks is 2026-11-26
YEARS = 3
UNIT_CODE = "000.00.12.H49"
UNIT_NAME = "UBND xã Đan Phượng"
GOVERNING = "UBND thành phố Hà Nội"
PLACE = "Hà Nội"
ADMIN_PASSWORD = "matkhau-quantri"
CLERK_PASSWORD = "matkhau-canbo"
CLERKS = [
    ("ntlan", "Nguyễn Thị Lan"),
    ("tvhung", "Trần Văn Hùng"),
    ("lthuong", "Lê Thu Hương"),
    ("pmduc", "Phạm Minh Đức"),
]
PER_STATION_MAX = 999

# -- names --------------------------------------------------------------------------------
# Surname shares (percent), after the usual estimates of Vietnamese family names.
SURNAMES = [
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.1), ("Hoàng", 3.2),
    ("Huỳnh", 1.9), ("Phan", 4.5), ("Vũ", 2.1), ("Võ", 1.8), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.9),
    ("Trịnh", 0.7), ("Đoàn", 0.7), ("Lương", 0.5), ("Mai", 0.5), ("Cao", 0.5), ("Lâm", 0.4),
    ("Tạ", 0.3), ("Chu", 0.3), ("Hà", 0.5), ("Kiều", 0.2), ("Tô", 0.3), ("Lại", 0.2),
    ("Phùng", 0.3), ("Khuất", 0.1), ("Nghiêm", 0.1), ("Quách", 0.2), ("Văn", 0.2),
    ("Triệu", 0.2), ("Thái", 0.2), ("Vương", 0.2), ("Tăng", 0.1), ("Âu", 0.1), ("Ông", 0.1),
]  # fmt: skip
MIDDLE_MALE = [
    ("Văn", 30), ("Đức", 8), ("Minh", 8), ("Quang", 6), ("Hữu", 5), ("Công", 4),
    ("Thành", 4), ("Xuân", 3), ("Tiến", 3), ("Ngọc", 3), ("Anh", 3), ("Đình", 4),
    ("Trọng", 3), ("Quốc", 3), ("Gia", 3), ("Hoàng", 2), ("Mạnh", 2), ("Thế", 2), ("Bá", 1),
    ("Duy", 2), ("Tuấn", 1), ("Việt", 1), ("Khắc", 1), ("Nhật", 2), ("Bảo", 2),
]  # fmt: skip
MIDDLE_FEMALE = [
    ("Thị", 36), ("Ngọc", 6), ("Thu", 5), ("Thanh", 5), ("Minh", 3), ("Hồng", 4),
    ("Phương", 3), ("Bảo", 2), ("Khánh", 2), ("Mai", 2), ("Thùy", 3), ("Kim", 3), ("Diệu", 1),
    ("Quỳnh", 2), ("Hải", 1), ("Thúy", 2), ("Lan", 1), ("Bích", 1), ("Mỹ", 2), ("Như", 1),
    ("Hà", 1), ("Tuyết", 1), ("Vân", 1), ("Xuân", 1),
]  # fmt: skip
GIVEN_MALE = [
    "Anh",
    "Hùng",
    "Dũng",
    "Tuấn",
    "Minh",
    "Hải",
    "Nam",
    "Long",
    "Hoàng",
    "Đức",
    "Thắng",
    "Cường",
    "Huy",
    "Sơn",
    "Quân",
    "Phong",
    "Trung",
    "Hiếu",
    "Việt",
    "Bình",
    "Khánh",
    "Thành",
    "Tùng",
    "Vinh",
    "Toàn",
    "Tiến",
    "Quang",
    "Đạt",
    "Phúc",
    "Hưng",
    "Lâm",
    "An",
    "Khoa",
    "Khôi",
    "Kiên",
    "Nghĩa",
    "Tài",
    "Thịnh",
    "Trí",
    "Tâm",
    "Tú",
    "Hậu",
    "Lợi",
    "Đông",
    "Khải",
    "Hiển",
    "Lộc",
    "Tín",
    "Duy",
    "Hòa",
    "Thái",
    "Hiệp",
    "Định",
    "Chiến",
    "Công",
    "Thanh",
    "Bảo",
    "Đăng",
    "Phát",
    "Nhân",
    "Quý",
    "Tân",
    "Vũ",
    "Dương",
    "Sang",
    "Thuận",
    "Hào",
    "Mạnh",
    "Quyết",
    "Tường",
    "Luân",
    "Kha",
]
GIVEN_FEMALE = [
    "Linh",
    "Hương",
    "Trang",
    "Hà",
    "Lan",
    "Anh",
    "Thảo",
    "Ngọc",
    "Hằng",
    "Huyền",
    "Phương",
    "Mai",
    "Nga",
    "Thủy",
    "Hoa",
    "Yến",
    "Nhung",
    "Hạnh",
    "Hiền",
    "Dung",
    "Vân",
    "Giang",
    "Loan",
    "Oanh",
    "Ly",
    "My",
    "Chi",
    "Ánh",
    "Bích",
    "Tuyết",
    "Liên",
    "Hồng",
    "Quyên",
    "Trinh",
    "Uyên",
    "Vy",
    "Ngân",
    "Thư",
    "Nhàn",
    "Diệp",
    "Châu",
    "Thơ",
    "Thùy",
    "Xuân",
    "Tâm",
    "Thu",
    "Lệ",
    "Hậu",
    "Duyên",
    "Hoài",
    "Khánh",
    "Quỳnh",
    "Thoa",
    "Thắm",
    "Lụa",
    "Nguyệt",
    "Hạ",
    "Hiên",
    "Trâm",
    "Nhi",
    "Tiên",
    "Diễm",
    "Thanh",
    "Hải",
    "Thúy",
    "Lam",
    "Minh",
    "Phượng",
    "Hòa",
    "Sen",
    "Đào",
]


def _zipf(names: list[str], s: float = 0.9) -> list[tuple[str, float]]:
    return [(n, 1 / (rank + 1) ** s) for rank, n in enumerate(names)]


class Weighted:
    """random.choices with the cumulative weights computed once."""

    def __init__(self, pairs: list[tuple[object, float]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cumulative = list(itertools.accumulate(w for _, w in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


# -- places ---------------------------------------------------------------------------------
# The office's commune (after the 2025 reorganisation: commune and province, no district) and
# its villages; other applicants live in real wards and communes of the region or further.
LOCAL_COMMUNE = "xã Đan Phượng, thành phố Hà Nội"
LOCAL_VILLAGES = (
    "thôn Thượng Hội thôn Hạ Hội thôn Thọ Vực thôn Phương Mạc thôn Đồng Lạc thôn Tháp Thượng "
    "cụm 1 cụm 2 cụm 3 cụm 4 cụm 5 thôn Bồng Lai thôn Đan Hoài thôn Ngọc Hạ thôn Thuận Thượng "
    "thôn Phương Nội thôn Yên Trung thôn Đại Phù thôn Song Phượng thôn Thu Quế"
)
VILLAGES = [
    v.strip()
    for v in LOCAL_VILLAGES.replace(" thôn ", "|thôn ").replace(" cụm ", "|cụm ").split("|")
]
OTHER_PLACES = [
    ("xã Ô Diên, thành phố Hà Nội", False), ("xã Liên Minh, thành phố Hà Nội", False),
    ("xã Hát Môn, thành phố Hà Nội", False), ("xã Phúc Thọ, thành phố Hà Nội", False),
    ("xã Hoài Đức, thành phố Hà Nội", False), ("xã Sơn Đồng, thành phố Hà Nội", False),
    ("phường Tây Tựu, thành phố Hà Nội", True), ("phường Thượng Cát, thành phố Hà Nội", True),
    ("phường Đông Ngạc, thành phố Hà Nội", True), ("phường Cầu Giấy, thành phố Hà Nội", True),
    ("phường Ba Đình, thành phố Hà Nội", True), ("phường Hoàn Kiếm, thành phố Hà Nội", True),
    ("phường Đống Đa, thành phố Hà Nội", True), ("phường Hà Đông, thành phố Hà Nội", True),
    ("phường Sơn Tây, thành phố Hà Nội", True), ("xã Quốc Oai, thành phố Hà Nội", False),
    ("xã Mê Linh, thành phố Hà Nội", False), ("phường Vĩnh Yên, tỉnh Phú Thọ", True),
    ("phường Việt Trì, tỉnh Phú Thọ", True), ("phường Bắc Ninh, tỉnh Bắc Ninh", True),
    ("phường Hải Dương, thành phố Hải Phòng", True), ("phường Thái Bình, tỉnh Hưng Yên", True),
    ("phường Nam Định, tỉnh Ninh Bình", True), ("phường Hạc Thành, tỉnh Thanh Hóa", True),
    ("phường Thành Vinh, tỉnh Nghệ An", True), ("phường Hải Châu, thành phố Đà Nẵng", True),
    ("phường Sài Gòn, Thành phố Hồ Chí Minh", True), ("phường Ninh Kiều, thành phố Cần Thơ", True),
    ("xã Tam Dương, tỉnh Phú Thọ", False), ("xã Kim Bảng, tỉnh Ninh Bình", False),
]  # fmt: skip
STREETS = [
    "Trần Phú",
    "Lê Lợi",
    "Nguyễn Trãi",
    "Quang Trung",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Đình Phùng",
    "Hoàng Hoa Thám",
    "Nguyễn Văn Cừ",
    "Trường Chinh",
    "Lê Duẩn",
    "Tô Hiệu",
    "Bà Triệu",
    "Phùng Hưng",
]
# Province of birth registration (first 3 digits of the ID number), weighted for a Hà Nội
# commune: mostly 001 Hà Nội, then the neighbouring provinces.
BIRTH_PROVINCES = [
    (1, 62), (26, 4), (25, 3), (27, 3), (30, 3), (33, 3), (34, 3), (35, 2), (36, 3), (37, 2),
    (38, 3), (40, 2), (42, 1), (22, 1), (24, 1), (31, 1), (19, 1), (79, 1), (48, 0.5),
]  # fmt: skip
PHONE_PREFIXES = [
    ("086", 3), ("096", 6), ("097", 7), ("098", 7), ("032", 3), ("033", 3), ("034", 3),
    ("035", 3), ("036", 3), ("037", 3), ("038", 3), ("039", 3), ("088", 2), ("091", 5),
    ("094", 4), ("081", 1), ("082", 1), ("083", 1), ("084", 1), ("085", 1), ("089", 2),
    ("090", 5), ("093", 4), ("070", 1), ("076", 1), ("077", 1), ("078", 1), ("079", 1),
    ("092", 1), ("056", 0.5), ("058", 0.5), ("099", 0.3), ("059", 0.3),
]  # fmt: skip
# Procedures by how often a commune centre receives them (demo catalog codes): certified copies
# and signature certification dominate, then civil status, land, households, social benefits.
PROCEDURE_WEIGHTS = {
    "2.000815": 30, "2.000884": 12, "1.001193": 8, "2.000635": 6, "1.004873": 6,
    "1.000894": 3, "1.000656": 2, "2.001035": 5, "1.013831": 4, "1.013978": 2,
    "1.012784": 1.5, "1.001612": 2, "2.000720": 1, "1.001570": 0.5, "1.001266": 0.5,
    "1.001776": 1.5, "1.001731": 0.5, "1.014028": 0.3, "1.001699": 0.5, "1.001653": 0.3,
    "3.000722": 3, "1.000689": 0.5, "1.001022": 0.4, "1.004859": 1, "1.004884": 0.5,
    "1.004837": 0.2, "1.004845": 0.1, "2.000908": 1, "1.012812": 0.3, "1.013225": 1,
}  # fmt: skip


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> str:
    """uuid4 text from the seeded generator (what uuid.UUID(int=..., version=4) gives)."""
    h = "%032x" % (rng.getrandbits(128) & _UUID4_CLEAR | _UUID4_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_JSON = json.JSONEncoder().encode  # what SQLAlchemy's JSON type stores (json.dumps defaults)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class People:
    """A population of applicants; a dossier picks one (people come back)."""

    def __init__(self, rng: random.Random, count: int) -> None:
        from counter_app.domain.text import fold

        surname = Weighted(SURNAMES)
        middle = {"Nam": Weighted(MIDDLE_MALE), "Nữ": Weighted(MIDDLE_FEMALE)}
        given = {"Nam": Weighted(_zipf(GIVEN_MALE)), "Nữ": Weighted(_zipf(GIVEN_FEMALE))}
        province = Weighted(BIRTH_PROVINCES)
        prefix = Weighted(PHONE_PREFIXES)
        others = Weighted([(p, 1.0) for p in OTHER_PLACES])
        self.rows: list[tuple] = []
        for _ in range(count):
            gender = "Nam" if rng.random() < 0.5 else "Nữ"
            parts = [surname.pick(rng), middle[gender].pick(rng)]
            if rng.random() < 0.12:  # a second middle name: "Nguyễn Hoàng Minh Khôi"
                parts.append(middle[gender].pick(rng))
            parts.append(given[gender].pick(rng))
            if parts[-1] == parts[-2]:
                parts[-1] = given[gender].pick(rng)
            name = " ".join(parts)
            year = rng.choices(range(1940, 2008), k=1)[0]
            born = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            century = 0 if year < 2000 else 2
            id_number = (
                f"{province.pick(rng):03d}{century + (gender == 'Nữ')}{year % 100:02d}"
                f"{rng.randrange(1_000_000):06d}"
            )
            phone = (
                f"{prefix.pick(rng)}{rng.randrange(10_000_000):07d}" if rng.random() < 0.93 else ""
            )
            if rng.random() < 0.72:
                address = f"{rng.choice(VILLAGES)}, {LOCAL_COMMUNE}"
            else:
                place, urban = others.pick(rng)
                if urban:
                    address = f"Số {rng.randrange(1, 300)} phố {rng.choice(STREETS)}, {place}"
                else:
                    address = f"thôn {rng.choice(['Đông', 'Đoài', 'Nam', 'Bắc', 'Trung'])}, {place}"
            folded = fold(name)
            email = (
                f"{folded.replace(' ', '')[:16]}{rng.randrange(100)}@gmail.com"
                if rng.random() < 0.08
                else ""
            )
            self.rows.append((name, folded, id_number, born.isoformat(), gender, address, phone,
                              email))  # fmt: skip

    def pick(self, rng: random.Random) -> tuple:
        return self.rows[rng.randrange(len(self.rows))]


def _office(folder: Path, clock: datetime) -> None:
    """The office through the application's own services (schema, catalog, clerks)."""
    from counter_app.app import open_context
    from counter_app.services.clerks import SignedIn, create_clerk
    from counter_app.services.office import DEFAULT_ADMIN, setup_office

    ctx = open_context(folder)
    ctx.clock = lambda: clock
    setup_office(
        ctx,
        unit_code=UNIT_CODE,
        unit_name=UNIT_NAME,
        governing_agency=GOVERNING,
        place=PLACE,
        station=0,
        admin_full_name="Đỗ Mạnh Cường",
        admin_password=ADMIN_PASSWORD,
        admin_password_confirm=ADMIN_PASSWORD,
    )
    with ctx.db.read() as session:
        from sqlalchemy import select

        from counter_app.models import Clerk

        admin = session.scalars(select(Clerk).where(Clerk.username == DEFAULT_ADMIN)).one()
        acting = SignedIn(admin.id, admin.username, admin.full_name, admin.role)
    for username, full_name in CLERKS:
        create_clerk(
            ctx,
            username=username,
            full_name=full_name,
            password=CLERK_PASSWORD,
            confirm=CLERK_PASSWORD,
            acting=acting,
        )
    ctx.work_calendar()  # the statutory years are built below from the same settings
    ctx.db.close()


class Writer:
    """Rows queued per day and written in time order, ids assigned here, audit rows chained."""

    def __init__(self, db: sqlite3.Connection) -> None:
        from counter_app.domain.audit_chain import GENESIS, row_digest

        self.db = db
        self.row_digest = row_digest
        self.events: list[tuple] = []
        self.audit: list[tuple] = []
        self.outbox: list[tuple] = []
        self.pending: dict[date, list[tuple]] = {}
        last = db.execute("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        self.audit_id, self.prev_hash = (last[0], last[1]) if last else (0, GENESIS)
        self.event_id = db.execute("SELECT coalesce(max(id), 0) FROM status_events").fetchone()[0]
        self.outbox_id = db.execute("SELECT coalesce(max(id), 0) FROM outbox").fetchone()[0]

    def later(self, day: date, at: datetime, kind: str, row: tuple) -> None:
        self.pending.setdefault(day, []).append((at, kind, row))

    def flush_day(self, day: date) -> None:
        for at, kind, row in sorted(self.pending.pop(day, []), key=lambda r: r[0]):
            if kind == "event":
                self.event_id += 1
                self.events.append((self.event_id, *row))
            elif kind == "audit":
                self._audit(at, *row)
            else:  # outbox: (uuid, kind, dossier_uuid, payload, acknowledged)
                self.outbox_id += 1
                self.outbox.append((self.outbox_id, row[0], row[1], row[2],
                                    _JSON(row[3]), _utc_text(at), 1, row[4]))  # fmt: skip

    def _audit(self, at: datetime, clerk_id, action, entity_id, details) -> None:
        self.audit_id += 1
        at_text = _utc_text(at)
        digest = self.row_digest(
            id=self.audit_id, at=at_text, clerk_id=clerk_id, action=action, entity="dossier",
            entity_id=entity_id, details=details, prev_hash=self.prev_hash,
        )  # fmt: skip
        self.audit.append((self.audit_id, at_text, clerk_id, action, "dossier", entity_id,
                           _JSON(details), self.prev_hash, digest))  # fmt: skip
        self.prev_hash = digest

    def write(self) -> None:
        self.db.executemany(
            "INSERT INTO status_events (id, uuid, dossier_id, from_status, to_status, action, "
            "side, clerk_id, at, reason, appointment_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            self.events,
        )
        self.db.executemany(
            "INSERT INTO audit_log (id, at, clerk_id, action, entity, entity_id, details, "
            "prev_hash, row_hash) VALUES (?,?,?,?,?,?,?,?,?)",
            self.audit,
        )
        self.db.executemany(
            "INSERT INTO outbox (id, uuid, kind, dossier_uuid, payload, created_at, attempts, "
            "acknowledged_at) VALUES (?,?,?,?,?,?,?,?)",
            self.outbox,
        )
        self.events, self.audit, self.outbox = [], [], []


def generate(target: Path, size: int, seed: int) -> None:
    from counter_app.domain.appointment import Duration, compute_appointment
    from counter_app.domain.office_time import OFFICE_TZ
    from counter_app.domain.status import Status
    from counter_app.models.database import Database
    from counter_app.services.context import Context

    rng = random.Random(seed)
    work = target.parent / (target.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    first_day = END_DAY - timedelta(days=365 * YEARS)
    start_clock = datetime.combine(first_day - timedelta(days=7), datetime.min.time(), OFFICE_TZ)
    _office(work, start_clock.replace(hour=8))
    started = time.perf_counter()

    ctx = Context(db=Database(work / "counter.sqlite3"), data_dir=work)
    calendar = ctx.work_calendar()
    ctx.db.close()
    # Working days: receipts until END_DAY; later events (results, hand-backs) may fall after
    # it and are then left out (the dossier stays in its last status of END_DAY).
    all_days = []
    day = first_day
    while day <= END_DAY + timedelta(days=90):
        if calendar.is_working_day(day):
            all_days.append(day)
        day += timedelta(days=1)
    days = [d for d in all_days if d <= END_DAY]
    # Busier on Mondays and at the start of the year, quieter in Tết's month; then scaled so the
    # days add up to `size` exactly.
    weights = [
        (1.25 if d.weekday() == 0 else 1.0 if d.weekday() < 5 else 0.5)
        * (0.75 if d.month == 2 else 1.1 if d.month in (3, 8) else 1.0)
        * rng.uniform(0.8, 1.2)
        for d in days
    ]
    total = sum(weights)
    counts = [int(w / total * size) for w in weights]
    for i in range(size - sum(counts)):
        counts[i % len(counts)] += 1
    stations = max(1, -(-max(counts) // PER_STATION_MAX))
    if stations > 10:
        raise SystemExit(f"{size} dossiers need more than 10 stations a day over {YEARS} years")

    db = sqlite3.connect(work / "counter.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("PRAGMA foreign_keys=OFF")
    procedures = {
        code: (pid, json.loads(duration), fee, json.loads(documents), name, sector, agency, version)
        for pid, code, duration, fee, documents, name, sector, agency, version in db.execute(
            "SELECT id, code, duration, fee, documents, name, sector, agency, version "
            "FROM procedures WHERE is_current"
        )
    }
    procedure_pick = Weighted([(c, w) for c, w in PROCEDURE_WEIGHTS.items() if c in procedures])
    clerks = db.execute("SELECT id, username FROM clerks ORDER BY id").fetchall()
    desk_clerks = clerks[1:] or clerks
    people = People(rng, max(50, int(size * 0.55)))
    # Indexes and the name index are built once at the end (faster than row by row).
    saved = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ((type = 'index' "
        "AND tbl_name IN ('dossiers', 'dossier_documents', 'status_events', 'audit_log', "
        "'outbox')) OR (type = 'trigger' AND name = 'dossiers_search_insert'))"
    ).fetchall()
    db.execute("BEGIN")
    for kind, name, _sql in saved:
        db.execute(f"DROP {kind.upper()} {name}")
    writer = Writer(db)
    dossier_id = db.execute("SELECT coalesce(max(id), 0) FROM dossiers").fetchone()[0]
    document_id = 0
    end_moment = datetime.combine(END_DAY, datetime.max.time(), OFFICE_TZ)
    day_index = {d: i for i, d in enumerate(days)}
    appointment_cache: dict[tuple, datetime] = {}
    dossiers: list[tuple] = []
    documents: list[tuple] = []

    def working_moment(after: datetime, min_days: int, max_days: int) -> datetime:
        """A moment in office hours `min_days`..`max_days` working days after `after`."""
        i = bisect.bisect_right(all_days, after.date()) + rng.randint(min_days, max_days) - 1
        d = all_days[min(len(all_days) - 1, max(0, i))]
        minute = rng.choice((7 * 60, 13 * 60 + 30)) + rng.randrange(210)
        moment = datetime.combine(d, datetime.min.time(), OFFICE_TZ) + timedelta(minutes=minute)
        return max(moment, after + timedelta(minutes=rng.randrange(5, 120)))

    def event(at, dossier, from_status, to_status, action, side, clerk, reason="", appt=None):
        if at > end_moment:
            return False
        row = (_uuid(rng), dossier[0], from_status, to_status, action, side, clerk,
               _utc_text(at), reason, appt and _utc_text(appt))  # fmt: skip
        writer.later(at.date(), at, "event", row)
        if side == "counter":
            code = dossier[1]
            writer.later(at.date(), at, "audit",
                         (clerk, f"dossier.{action}", code,
                          {"from": from_status, "to": to_status, "reason": reason}))  # fmt: skip
            payload = {
                "uuid": row[0], "at": at.isoformat(),
                "from_status": Status(from_status).name.lower(),
                "to_status": Status(to_status).name.lower(),
                "to_status_label": Status(to_status).label_vi, "action": action, "side": side,
                "clerk": dossier[3], "reason": reason,
                "appointment_at": appt and appt.isoformat(), "dossier_uuid": dossier[2],
                "code": code,
            }  # fmt: skip
            writer.later(at.date(), at, "outbox",
                         (_uuid(rng), "dossier.status_changed", dossier[2], payload,
                          _utc_text(at + timedelta(seconds=rng.randrange(2, 600)))))  # fmt: skip
        return True

    def printed(at, dossier, form, reprint=0):
        if at <= end_moment:
            details = {"form": form, "layout": "a4", "reprint": reprint, "file": None}
            writer.later(at.date(), at, "audit", (dossier[4], f"print.form{form}", dossier[1],
                                                  details))  # fmt: skip

    for day, count in zip(days, counts, strict=True):
        base = datetime.combine(day, datetime.min.time(), OFFICE_TZ)
        minutes = sorted(
            rng.choice((7 * 60, 13 * 60 + 30)) * 60 + rng.randrange(210 * 60) for _ in range(count)
        )
        numbers = [0] * stations
        for i, second in enumerate(minutes):
            station = i % stations
            numbers[station] += 1
            sequence = station * 1000 + numbers[station]
            received = base + timedelta(seconds=second)
            code = f"{UNIT_CODE}-{day:%y%m%d}-{sequence:04d}"
            proc_code = procedure_pick.pick(rng)
            pid, duration, fee, proc_documents, pname, sector, agency, version = procedures[
                proc_code
            ]
            key = (proc_code, received.replace(minute=received.minute // 10 * 10, second=0))
            appointment = appointment_cache.get(key)
            if appointment is None:
                appointment = compute_appointment(key[1], Duration.from_dict(duration), calendar)
                appointment_cache[key] = appointment
            name, folded, id_number, born, gender, address, phone, email = people.pick(rng)
            clerk_id, clerk_name = desk_clerks[rng.randrange(len(desk_clerks))]
            channel = "post" if rng.random() < 0.03 else "counter"
            return_method = "post" if rng.random() < 0.07 else "counter"
            sets = 1 if rng.random() < 0.9 else rng.randint(2, 5)
            dossier_id += 1
            dossier_uuid = _uuid(rng)
            received_text, appointment_text = _utc_text(received), _utc_text(appointment)
            dossier_key = (dossier_id, code, dossier_uuid, clerk_name, clerk_id)
            # The status history, drawn by the dossier's fate.
            fate = rng.random()
            status = int(Status.RECEIVED)
            receive_event_uuid = _uuid(rng)
            writer.later(day, received, "event",
                         (receive_event_uuid, dossier_id, None, 2, "receive", "counter",
                          clerk_id, received_text, "", appointment_text))  # fmt: skip
            writer.later(day, received, "audit",
                         (clerk_id, "dossier.receive", code, {"uuid": dossier_uuid}))  # fmt: skip
            at = received
            if fate < 0.012:  # refused at the counter (Form 03)
                reason = "Hồ sơ không thuộc thẩm quyền giải quyết của UBND xã."
                event(at, dossier_key, 2, 3, "refuse", "counter", clerk_id, reason)
                status = 3
                printed(at + timedelta(seconds=40), dossier_key, "03")
            else:
                printed(at + timedelta(seconds=rng.randrange(20, 90)), dossier_key, "01")
                if rng.random() < 0.02:
                    printed(at + timedelta(minutes=rng.randrange(2, 30)), dossier_key, "01", 1)
                if fate < 0.035:  # incomplete: supplement requested at the counter (Form 02)
                    reason = "Thiếu bản sao giấy khai sinh có chứng thực."
                    event(at, dossier_key, 2, 5, "request_supplement", "counter", clerk_id, reason)
                    status = 5
                    printed(at + timedelta(seconds=50), dossier_key, "02")
                    if rng.random() < 0.75:
                        at = working_moment(at, 1, 6)
                        if event(at, dossier_key, 5, 2, "supplement_received", "counter", clerk_id):
                            status = 2
                if status == 2:
                    at = working_moment(at, 0, 1)
                    if event(at, dossier_key, 2, 4, "process", "agency", None):
                        status = 4
                if status == 4:
                    late = rng.random() < 0.05
                    if fate > 0.995:  # the agency stops (8), later handed back
                        at = working_moment(at, 1, 4)
                        if event(at, dossier_key, 4, 8, "stop", "agency", None,
                                 "Người yêu cầu không bổ sung hồ sơ trong thời hạn."):  # fmt: skip
                            status = 8
                    elif fate > 0.99:  # withdrawn by the citizen
                        at = working_moment(at, 0, 2)
                        if event(at, dossier_key, 4, 7, "withdraw", "counter", clerk_id,
                                 "Công dân xin rút hồ sơ."):  # fmt: skip
                            status = 7
                    else:
                        ready = appointment - timedelta(hours=rng.randrange(0, 20))
                        if late:
                            ready = working_moment(appointment, 1, 5)
                        ready = max(ready, at + timedelta(minutes=30))
                        if event(ready, dossier_key, 4, 9, "result_ready", "agency", None):
                            status, at = 9, ready
                if status in (8, 9) and rng.random() < 0.985:
                    back = working_moment(at, 0, 8) if rng.random() < 0.9 else at
                    clerk_back = desk_clerks[rng.randrange(len(desk_clerks))][0]
                    if event(back, dossier_key, status, 10, "hand_back", "counter", clerk_back):
                        status = 10
                        if rng.random() < 0.35:
                            _rate(rng, writer, back, clerk_back, dossier_key)
            dossiers.append((
                dossier_id, dossier_uuid, code, day.isoformat(), sequence, station, pid,
                "citizen", name, folded, "cccd", id_number, born, gender, address, phone, email,
                sets, channel, return_method, fee, received_text, appointment_text, status,
                clerk_id, received_text, received_text,
            ))  # fmt: skip
            docs = [(d["name"], d.get("original", 0), d.get("copy", 0)) for d in proc_documents]
            doc_rows = []
            for position, (doc_name, originals, copies) in enumerate(docs, 1):
                document_id += 1
                documents.append((document_id, dossier_id, position, doc_name, originals, copies,
                                  0, 1))  # fmt: skip
                doc_rows.append({"name": doc_name, "original": originals, "certified_copy": copies,
                                 "photocopy": 0, "received": True})  # fmt: skip
            received_iso = received.isoformat()
            payload = {
                "code": code, "uuid": dossier_uuid, "status": "received", "status_code": 2,
                "status_label": "Đã tiếp nhận", "received_at": received_iso,
                "appointment_at": appointment.isoformat(), "station": station,
                "procedure": {"code": proc_code, "version": version, "name": pname,
                              "sector": sector, "agency": agency, "duration": duration},
                "applicant": {"kind": "citizen", "full_name": name, "id_type": "cccd",
                              "id_number": id_number, "date_of_birth": born, "gender": gender,
                              "address": address, "phone": phone, "email": email},
                "documents": doc_rows, "sets": sets, "channel": channel,
                "return_method": return_method, "fee": fee, "receiving_clerk": clerk_name,
                "event_uuid": receive_event_uuid,
            }  # fmt: skip
            acknowledged = _utc_text(received + timedelta(seconds=rng.randrange(2, 900)))
            writer.later(day, received, "outbox",
                         (_uuid(rng), "dossier.received", dossier_uuid, payload,
                          acknowledged))  # fmt: skip
        writer.flush_day(day)
        if len(dossiers) >= 20_000 or day == days[-1]:
            _write_dossiers(db, dossiers, documents)
            dossiers, documents = [], []
            writer.write()
            done = day_index[day] + 1
            print(f"\r  {day}  {done}/{len(days)} days, {dossier_id:,} dossiers, "
                  f"{time.perf_counter() - started:.0f} s", end="", flush=True)  # fmt: skip
    for late_day in sorted(writer.pending):
        writer.flush_day(late_day)
    writer.write()
    print(f"\n  indexes and the name index ({time.perf_counter() - started:.0f} s)", flush=True)
    for _kind, _name, sql in saved:
        db.execute(sql)
    db.execute("INSERT INTO dossier_search(dossier_search) VALUES ('rebuild')")
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)


def _rate(rng: random.Random, writer: Writer, at: datetime, clerk_id: int, dossier) -> None:
    from counter_app.services.ratings import ACTION, LEVELS

    level = rng.choices(list(LEVELS), weights=(62, 35, 3))[0]
    rating = {
        "uuid": _uuid(rng), "code": dossier[1], "dossier_uuid": dossier[2], "level": level,
        "level_label": LEVELS[level],
        "reason": "Chờ lâu, phải đi lại nhiều lần." if level == "dissatisfied" else "",
        "at": at.isoformat(), "clerk": dossier[3],
    }  # fmt: skip
    at = at + timedelta(seconds=30)
    writer.later(at.date(), at, "audit", (clerk_id, ACTION, dossier[1], rating))
    writer.later(at.date(), at, "outbox", (_uuid(rng), "dossier.rated", dossier[2], rating,
                                           _utc_text(at + timedelta(seconds=60))))  # fmt: skip


def _write_dossiers(db: sqlite3.Connection, dossiers: list[tuple], documents: list[tuple]) -> None:
    db.executemany(
        "INSERT INTO dossiers (id, uuid, code, receipt_day, sequence_number, station_number, "
        "procedure_id, applicant_kind, applicant_name, applicant_name_folded, applicant_id_type, "
        "applicant_id_number, applicant_date_of_birth, applicant_gender, applicant_address, "
        "applicant_phone, applicant_email, sets, channel, return_method, fee, received_at, "
        "appointment_at, status, receiving_clerk_id, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        dossiers,
    )
    db.executemany(
        "INSERT INTO dossier_documents (id, dossier_id, position, name, originals, "
        "certified_copies, photocopies, received) VALUES (?,?,?,?,?,?,?,?)",
        documents,
    )


def database_folder(size: int, seed: int = 2026) -> Path:
    """The cached data folder (with counter.sqlite3) for `size` dossiers, generated if missing."""
    key = hashlib.sha256(f"{size}-{seed}-{GENERATOR_VERSION}".encode()).hexdigest()[:8]
    target = DATA_DIR / f"counter-{size}-s{seed}-v{GENERATOR_VERSION}-{key}"
    if not (target / "counter.sqlite3").exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        print(f"generating {size:,} dossiers into {target} ...", flush=True)
        generate(target, size, seed)
    _upgrade_cached(target / "counter.sqlite3")
    return target


def _upgrade_cached(path: Path) -> None:
    """A database cached before a schema change, brought to the head by the real migrations, in
    place and once (the generator's own schema comes from the same migrations, so the cache is
    not keyed by schema). No backup: the cache can be generated again. The WAL is checkpointed
    into the file, which the benchmarks copy alone."""
    from counter_app.models.database import Database, current_revision
    from counter_app.schema_version import SCHEMA_HEAD

    revision = current_revision(path)
    if revision == SCHEMA_HEAD:
        return
    from counter_app.models.migrations import run_upgrade  # Alembic only when needed

    print(f"upgrading the cached database from {revision} to {SCHEMA_HEAD} ...", flush=True)
    started = time.perf_counter()
    database = Database(path)
    try:
        run_upgrade(database.engine.execution_options(immediate=True))
    finally:
        database.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"  upgraded in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="generate again even if cached")
    args = parser.parse_args()
    if args.force:
        key = hashlib.sha256(f"{args.size}-{args.seed}-{GENERATOR_VERSION}".encode()).hexdigest()[
            :8
        ]
        shutil.rmtree(
            DATA_DIR / f"counter-{args.size}-s{args.seed}-v{GENERATOR_VERSION}-{key}",
            ignore_errors=True,
        )
    started = time.perf_counter()
    folder = database_folder(args.size, args.seed)
    db = sqlite3.connect(folder / "counter.sqlite3")
    counts = {
        table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("dossiers", "dossier_documents", "status_events", "audit_log", "outbox")
    }
    db.close()
    size_mb = (folder / "counter.sqlite3").stat().st_size / 1e6
    print(f"{folder} ({size_mb:,.0f} MB, {time.perf_counter() - started:.0f} s): "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))  # fmt: skip


if __name__ == "__main__":
    main()
