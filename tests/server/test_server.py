"""The central server on PostgreSQL, through its HTTP API and its command line."""

import gzip
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from server.harness import ServerProcess, server_cli, server_ok
from support import DATA, registration

from counter_app.sync import protocol as p

UNIT = "000.00.12.H49"
OTHER_UNIT = "000.00.13.H49"
HEADERS = {p.HEADER_PROTOCOL: "1", p.HEADER_COUNTER_VERSION: "0.1.0"}
DAYS = itertools.count()


def call(server, method, path, *, token=None, body=None, headers=None, **kwargs):
    sent = dict(HEADERS)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        sent["Content-Type"] = "application/json"
        sent["Content-Encoding"] = "gzip"
        kwargs["data"] = gzip.compress(json.dumps(body).encode())
    sent.update(headers or {})
    return requests.request(method, server.url + path, headers=sent, timeout=30, **kwargs)


def enroll(server, server_db, station=0, unit=UNIT) -> str:
    code = server_ok(server_db, "enroll", "--unit-code", unit, "--station", str(station))
    code = code.strip().splitlines()[-1]
    answer = call(server, "POST", "/api/v1/enroll", body={"code": code})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


@pytest.fixture(scope="module")
def token(server, server_db) -> str:
    return enroll(server, server_db, station=0)


@pytest.fixture
def counter(ctx):
    """A counter context with the test catalog, to make real outbox payloads; each test on
    its own day, so that dossier codes never collide on the module's server."""
    from counter_app.services.catalog import import_catalog

    ctx.clock.now = ctx.clock.now - timedelta(days=next(DAYS) + 1)
    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    return ctx


def outbox_items(ctx) -> list[dict]:
    from sqlalchemy import select

    from counter_app.models import OutboxItem

    with ctx.db.read() as session:
        rows = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        return [
            p.PushItem(
                uuid=r.uuid,
                kind=r.kind,
                dossier_uuid=r.dossier_uuid,
                created_at=r.created_at,
                payload=r.payload,
            ).model_dump(mode="json")
            for r in rows
        ]


def test_enrollment_code_is_one_time_and_bound_to_unit_and_station(server, server_db):
    status, out, _ = server_cli(server_db, "enroll", "--unit-code", UNIT, "--station", "3")
    assert status == 0
    code = out.strip().splitlines()[-1]
    assert len(code) == 19 and code.count("-") == 3
    # A counter set up for another station is refused without using the code up.
    mismatch = call(
        server, "POST", "/api/v1/enroll", body={"code": code, "unit_code": UNIT, "station": 4}
    )
    assert mismatch.status_code == 409
    assert "quầy số 3" in mismatch.json()["message"]
    first = call(server, "POST", "/api/v1/enroll", body={"code": code.lower()})
    assert first.status_code == 200
    assert first.json()["unit_code"] == UNIT and first.json()["station"] == 3
    again = call(server, "POST", "/api/v1/enroll", body={"code": code})
    assert again.status_code == 403
    assert "Mã đăng ký" in again.json()["message"]


def test_unknown_unit_is_refused_in_vietnamese(server_db):
    status, _, err = server_cli(server_db, "enroll", "--unit-code", "9.9.H99", "--station", "0")
    assert status == 2 and "Chưa có đơn vị" in err


PROTECTED = [
    ("POST", "/api/v1/push", {"items": []}),
    ("GET", "/api/v1/changes?after=0", None),
    ("GET", "/api/v1/reconcile?since=2026-11-01", None),
    ("GET", f"/api/v1/attachments/{uuid.uuid4()}", None),
    ("PUT", f"/api/v1/attachments/{uuid.uuid4()}?offset=0", None),
]


@pytest.mark.parametrize("method,path,body", PROTECTED)
def test_protected_endpoints_refuse_missing_unknown_and_revoked_tokens(
    server, server_db, method, path, body
):
    extra = {p.HEADER_CHUNK_SHA256: "0" * 64} if method == "PUT" else {}
    missing = call(server, method, path, body=body, headers=extra)
    assert missing.status_code == 401, missing.text
    assert missing.json()["error"] == "unauthorized"
    assert "counter-app enroll" in missing.json()["message"]
    unknown = call(server, method, path, body=body, headers=extra, token="not-a-token-of-ours")
    assert unknown.status_code == 401
    revoked_token = enroll(server, server_db, station=7)
    assert call(server, "GET", "/api/v1/changes", token=revoked_token).status_code == 200
    server_ok(server_db, "device", "revoke", "--unit-code", UNIT, "--station", "7")
    revoked = call(server, method, path, body=body, headers=extra, token=revoked_token)
    assert revoked.status_code == 401
    assert "thu hồi" in revoked.json()["message"]


def test_a_token_only_writes_its_own_units_dossiers(server, server_db, token, counter):
    from counter_app.services.registration import register_dossier
    from counter_app.services.transitions import withdraw

    dossier = register_dossier(counter, registration())
    withdraw(counter, dossier["code"], reason="Công dân xin rút")
    items = outbox_items(counter)
    foreign = enroll(server, server_db, station=0, unit=OTHER_UNIT)
    answer = call(server, "POST", "/api/v1/push", token=foreign, body={"items": items}).json()
    assert [r["outcome"] for r in answer["results"]] == ["rejected", "rejected"]
    assert "đơn vị khác" in answer["results"][0]["reason"]
    # The rightful station stores it; the foreign one still cannot touch it.
    ok = call(server, "POST", "/api/v1/push", token=token, body={"items": items}).json()
    assert [r["outcome"] for r in ok["results"]] == ["accepted", "accepted"]
    later = dict(items[1], uuid=str(uuid.uuid4()))
    later["payload"] = dict(later["payload"], uuid=str(uuid.uuid4()))
    answer = call(server, "POST", "/api/v1/push", token=foreign, body={"items": [later]}).json()
    assert answer["results"][0]["outcome"] == "rejected"
    assert "đơn vị khác" in answer["results"][0]["reason"]
    changes = call(server, "GET", "/api/v1/changes?after=0", token=foreign).json()
    assert all(c["data"].get("code") != dossier["code"] for c in changes["changes"])


def test_push_is_idempotent_and_quarantines_a_bad_item(server, server_db, token, counter):
    from counter_app.services.registration import register_dossier

    first = register_dossier(counter, registration())
    second = register_dossier(counter, registration())
    items = outbox_items(counter)
    bad = dict(items[1], uuid=str(uuid.uuid4()))
    bad["payload"] = {k: v for k, v in bad["payload"].items() if k != "applicant"}
    bad["payload"]["uuid"] = str(uuid.uuid4())
    batch = [items[0], bad, items[1]]
    answer = call(server, "POST", "/api/v1/push", token=token, body={"items": batch})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["outcome"] for r in results] == ["accepted", "rejected", "accepted"]
    assert "applicant" in results[1]["reason"] and "cách ly" in results[1]["reason"]
    retried = call(server, "POST", "/api/v1/push", token=token, body={"items": batch}).json()
    assert retried["results"] == results
    stats = json.loads(server_ok(server_db, "stats", "--json"))
    codes = {first["code"], second["code"]}
    assert len(codes) == 2
    track = [call(server, "GET", f"/api/v1/track/{code}").json() for code in codes]
    assert {t["code"] for t in track} == codes
    assert stats["units"][UNIT]["stations"]["0"]["last_contact"] is not None


def test_agency_status_stats_and_public_lookup(server, server_db, token, counter):
    from counter_app.services.registration import register_dossier

    dossier = register_dossier(counter, registration())
    items = outbox_items(counter)
    call(server, "POST", "/api/v1/push", token=token, body={"items": items}).raise_for_status()
    code = dossier["code"]
    out = server_ok(server_db, "agency", "set-status", code, "--status", "processing")
    assert "Đang xử lý" in out
    status, _, err = server_cli(server_db, "agency", "set-status", code, "--status", "stopped")
    assert status == 2 and "lý do" in err
    status, _, err = server_cli(server_db, "agency", "set-status", code, "--status", "processing")
    assert status == 2 and "đã ở trạng thái này" in err
    server_ok(server_db, "agency", "set-status", code, "--status", "result_ready", "--note", "Xong")

    stats = json.loads(server_ok(server_db, "stats", "--json"))
    unit = stats["units"][UNIT]
    assert unit["dossiers"] == sum(unit["by_status"].values())
    assert unit["by_status"]["result_ready"] >= 1
    assert unit["stations"]["0"]["dossiers"] >= 1

    answer = call(server, "GET", f"/api/v1/track/{code}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["status"] == "result_ready" and data["status_label"] == "Có kết quả, chờ trả"
    assert data["procedure_code"] == "T.WD3"
    page = call(server, "GET", f"/track/{code}")
    assert page.status_code == 200 and "Có kết quả, chờ trả" in page.text
    applicant = registration()["applicant"]
    for text in (answer.text, page.text):
        for secret in ("Nguyễn Văn Dũng", applicant["id_number"], "0912", "Thôn Đông"):
            assert secret not in text
    assert call(server, "GET", "/api/v1/track/000.00.12.H49-261127-9999").status_code == 404
    assert call(server, "GET", "/track/khong-phai-ma").status_code == 404


def test_public_lookup_is_rate_limited(server_db):
    limited = ServerProcess(server_db, env={"COUNTER_SERVER_PUBLIC_RATE": "3"}).start()
    try:
        codes = [call(limited, "GET", "/api/v1/track/x-1").status_code for _ in range(5)]
        assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
        assert "một phút" in call(limited, "GET", "/api/v1/track/x").json()["message"]
    finally:
        limited.stop()


def test_old_counters_are_told_to_upgrade_in_vietnamese(server, token):
    old = {p.HEADER_COUNTER_VERSION: "0.0.9"}
    hello = call(server, "GET", "/api/v1/hello", headers=old).json()
    assert "nâng cấp" in hello["upgrade_message"]
    refused = call(server, "POST", "/api/v1/push", token=token, body={"items": []}, headers=old)
    assert refused.status_code == 426
    assert refused.json()["error"] == "upgrade_required"
    assert "0.0.9" in refused.json()["message"]
    # Refused before the router: still stamped with the clock and the security headers.
    assert datetime.fromisoformat(refused.headers[p.HEADER_SERVER_TIME])
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    newer_protocol = call(
        server, "GET", "/api/v1/changes", token=token, headers={p.HEADER_PROTOCOL: "2"}
    )
    assert newer_protocol.status_code == 426
    assert "giao thức" in newer_protocol.json()["message"]
    assert call(server, "GET", "/api/v1/hello").json()["upgrade_message"] is None


def test_every_answer_carries_the_server_time(server, token):
    for method, path, tok in [
        ("GET", "/api/v1/health", None),
        ("GET", "/api/v1/changes", token),
        ("GET", "/api/v1/changes", None),
        ("GET", "/track/x", None),
    ]:
        answer = call(server, method, path, token=tok)
        stamp = datetime.fromisoformat(answer.headers[p.HEADER_SERVER_TIME])
        assert abs((stamp - datetime.now(UTC)).total_seconds()) < 60


def test_openapi_is_generated_from_the_protocol_module(server):
    schema = requests.get(server.url + "/openapi.json", timeout=10).json()
    assert schema["info"]["x-protocol-version"] == p.PROTOCOL_VERSION
    components = schema["components"]["schemas"]
    for model in (
        "PushRequest",
        "PushAnswer",
        "DossierPayload",
        "StatusChangePayload",
        "DossierEventChange",
        "AttachmentState",
        "TrackAnswer",
        "EnrollRequest",
    ):
        assert model in components
    assert components["PushRequest"]["properties"]["items"]["maxItems"] == p.MAX_PUSH_ITEMS
    assert set(schema["paths"]) >= {
        "/api/v1/enroll",
        "/api/v1/push",
        "/api/v1/changes",
        "/api/v1/track/{code}",
        "/api/v1/attachments/{uuid}",
        "/track/{code}",
        "/api/v1/hello",
    }


def test_catalog_calendar_and_clerks_enter_the_change_feed(server, server_db, token):
    server_ok(server_db, "catalog", "import", str(DATA / "catalog.json"))
    out = server_ok(server_db, "catalog", "import", str(DATA / "catalog.json"))
    assert "0 thủ tục mới" in out
    calendar = Path(__file__).parent / "calendar.json"
    server_ok(server_db, "calendar", "import", str(calendar))
    server_ok(
        server_db,
        "clerk",
        "add",
        "--unit-code",
        UNIT,
        "--username",
        "lan",
        "--full-name",
        "Trần Thị Lan",
    )
    server_ok(
        server_db,
        "clerk",
        "add",
        "--unit-code",
        OTHER_UNIT,
        "--username",
        "hoa",
        "--full-name",
        "Lê Thị Hoa",
    )
    seen, cursor = [], 0
    while True:
        page = call(server, "GET", f"/api/v1/changes?after={cursor}&limit=2", token=token).json()
        assert len(page["changes"]) <= 2
        seen += page["changes"]
        assert page["next_cursor"] >= cursor
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    kinds = [c["kind"] for c in seen]
    assert kinds.count("catalog.procedure") == len(
        json.loads((DATA / "catalog.json").read_text("utf-8"))["procedures"]
    )
    assert "calendar.overrides" in kinds
    clerks = [c["data"]["username"] for c in seen if c["kind"] == "clerk.account"]
    assert clerks == ["lan"]  # not the other unit's clerk
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_a_cursor_beyond_the_feed_is_refused(server, token):
    """A server restored from an old backup must not let counters skip changes silently."""
    answer = call(server, "GET", "/api/v1/changes?after=999999999", token=token)
    assert answer.status_code == 409
    assert answer.json()["error"] == "cursor_ahead"
    assert "bản sao lưu" in answer.json()["message"]
