"""Bad input, generated (hypothesis): the ID-card QR parser, the registration input, the catalog
and calendar imports. Whatever comes in, the answer is a result or a CounterError whose
Vietnamese message says what is wrong; never another exception, never a half-written record.

Example counts: `FUZZ_EXAMPLES` (default below) scales them all; the figures are in
docs/reliability.md.
"""

import copy
import json
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability.conftest import prepare_station
from support import APPLICANT, DATA

from counter_app.domain.cccd import parse_cccd_qr
from counter_app.domain.errors import CounterError

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
COUNTS = {"qr": 3000, "registration": 400, "catalog": 250, "calendar": 250}
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
VIETNAMESE = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def examples(kind: str) -> int:
    return max(10, int(COUNTS[kind] * SCALE))


def assert_says_what_is_wrong(error: CounterError) -> None:
    assert error.message.strip(), "a refusal without words"
    assert any(c in VIETNAMESE for c in error.message.lower()) or error.field, error.message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


# -- the ID-card QR code ------------------------------------------------------------------

VALID_QR = "001090012345|123456789|Nguyễn Văn Dũng|17051990|Nam|Thôn Đông, Tân Lập|01012021"


@st.composite
def qr_payloads(draw):
    """Mutations of a real payload: fields replaced, parts added/removed, prefixes, CR/LF, NFD."""
    parts = VALID_QR.split("|")
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(["replace", "drop", "add", "digits"]))
        index = draw(st.integers(0, max(0, len(parts) - 1)))
        if action == "replace" and parts:
            parts[index] = draw(st.text(max_size=40))
        elif action == "drop" and parts:
            parts.pop(index)
        elif action == "add":
            parts.insert(index, draw(st.text(max_size=10)))
        elif parts:
            parts[index] = draw(st.from_regex(r"[0-9]{0,14}", fullmatch=True))
    text = "|".join(parts)
    text = draw(st.sampled_from(["", "]Q1", "QR:", "\x02", "  "])) + text
    text += draw(st.sampled_from(["", "\r\n", "\n", "\x03", "|||"]))
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    return text


@settings(FUZZ, max_examples=examples("qr"))
@given(payload=st.one_of(st.text(max_size=300), qr_payloads()))
def test_qr_parser_accepts_or_says_why(payload):
    try:
        data = parse_cccd_qr(payload)
    except CounterError as error:
        assert_says_what_is_wrong(error)
        return
    assert len(data.id_number) == 12 and data.id_number.isascii() and data.id_number.isdigit()
    assert data.full_name == unicodedata.normalize("NFC", data.full_name)


# -- registration: nothing half-written ---------------------------------------------------

TABLES = ("dossiers", "dossier_documents", "status_events", "outbox", "audit_log")


def counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        connection.close()


VALID_REGISTRATION = {
    "procedure_code": "T.WD3",
    "applicant": dict(APPLICANT),
    "sets": 1,
    "channel": "counter",
    "return_method": "counter",
    "documents": [{"name": "Tờ khai", "original": 1, "certified_copy": 0, "photocopy": 0}],
}
PATHS = [
    ("procedure_code",),
    ("sets",),
    ("channel",),
    ("return_method",),
    ("documents",),
    ("received_at",),
    ("fee",),
    ("cccd_qr",),
    ("applicant",),
    ("applicant", "kind"),
    ("applicant", "full_name"),
    ("applicant", "id_number"),
    ("applicant", "date_of_birth"),
    ("applicant", "gender"),
    ("applicant", "address"),
    ("applicant", "phone"),
    ("applicant", "email"),
    ("applicant", "id_type"),
    ("extra",),
]


@st.composite
def registrations(draw):
    data = copy.deepcopy(VALID_REGISTRATION)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(PATHS))
        target = data
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        if draw(st.booleans()):
            target.pop(path[-1], None)
        else:
            target[path[-1]] = draw(json_values | qr_payloads())
    return data


@pytest.fixture(scope="module")
def fuzz_station(tmp_path_factory, migrated_database):
    from counter_app.app import open_context

    folder = prepare_station(tmp_path_factory.mktemp("fuzz") / "station", migrated_database)
    ctx = open_context(folder)
    yield ctx
    ctx.db.close()


def test_registration_input_never_half_written(fuzz_station):
    from counter_app.services.registration import register_dossier

    ctx = fuzz_station
    outcomes = {"registered": 0, "refused": 0}

    @settings(FUZZ, max_examples=examples("registration"))
    @given(data=st.one_of(registrations(), json_values))
    def run(data):
        before = counts(ctx.db.path)
        try:
            dossier = register_dossier(ctx, data)
        except CounterError as error:
            assert_says_what_is_wrong(error)
            assert counts(ctx.db.path) == before  # nothing written
            outcomes["refused"] += 1
            return
        after = counts(ctx.db.path)
        assert after["dossiers"] == before["dossiers"] + 1
        assert after["outbox"] == before["outbox"] + 1
        assert after["status_events"] == before["status_events"] + 1
        assert dossier["code"]
        outcomes["registered"] += 1

    run()
    print("registration fuzz:", json.dumps(outcomes))
    assert outcomes["refused"] > 0 and outcomes["registered"] > 0


# -- catalog and calendar imports: all or nothing ------------------------------------------

CATALOG = json.loads((DATA / "catalog.json").read_text("utf-8"))


@st.composite
def catalogs(draw):
    data = copy.deepcopy(CATALOG)
    procedures = data["procedures"]
    for _ in range(draw(st.integers(0, 3))):
        entry = draw(st.sampled_from(procedures))
        key = draw(st.sampled_from(["code", "name", "duration", "fee", "documents", "sector"]))
        if key == "duration" and draw(st.booleans()):
            entry["duration"] = {
                "kind": draw(
                    st.sampled_from(
                        ["working_days", "working_hours", "same_day", "calendar_days", "x"]
                    )
                ),
                "value": draw(json_values),
            }
        elif draw(st.booleans()):
            entry.pop(key, None)
        else:
            entry[key] = draw(json_values)
    if draw(st.booleans()):
        procedures.append(draw(json_values))
    return data


def procedure_rows(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT code, version, is_current FROM procedures").fetchall()
    finally:
        connection.close()


def test_catalog_import_all_or_nothing(fuzz_station):
    from counter_app.services.catalog import import_catalog

    ctx = fuzz_station

    @settings(FUZZ, max_examples=examples("catalog"))
    @given(data=st.one_of(catalogs(), json_values))
    def run(data):
        before = procedure_rows(ctx.db.path)
        try:
            import_catalog(ctx, data)
        except CounterError as error:
            assert_says_what_is_wrong(error)
            assert procedure_rows(ctx.db.path) == before

    run()


days = st.dates().map(lambda d: d.isoformat()) | st.text(max_size=12) | json_values


def override_rows(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT day, kind FROM calendar_overrides ORDER BY day"
        ).fetchall()
    finally:
        connection.close()


def test_calendar_import_all_or_nothing(fuzz_station):
    from counter_app.services.calendar import import_calendar

    ctx = fuzz_station

    @settings(FUZZ, max_examples=examples("calendar"))
    @given(
        data=st.one_of(
            st.fixed_dictionaries(
                {"days_off": st.lists(days, max_size=4)},
                optional={
                    "working_days": st.lists(days, max_size=4) | json_values,
                    "other": json_values,
                },
            ),
            json_values,
        )
    )
    def run(data):
        before = override_rows(ctx.db.path)
        try:
            import_calendar(ctx, data)
        except CounterError as error:
            assert_says_what_is_wrong(error)
            assert override_rows(ctx.db.path) == before

    run()
