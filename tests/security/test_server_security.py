"""Security on the central server: rate limits on enrollment and on refused device tokens (the
counters' sign-in), revocation, no personal data in its log, headers and CORS set on purpose."""

import gzip
import json
import uuid

import pytest
import requests
from server.harness import ServerProcess, cluster, server_ok
from support import DATA, registration

from counter_app.sync import protocol as p

UNIT = "000.00.12.H49"
HEADERS = {p.HEADER_PROTOCOL: "1", p.HEADER_COUNTER_VERSION: "0.1.0"}
APPLICANT = {
    "kind": "citizen",
    "full_name": "Hoàng Thị Mỹ Xuyên",
    "id_number": "079195001234",
    "date_of_birth": "1995-03-08",
    "gender": "Nữ",
    "address": "Số 12 ngõ Trúc Lạc, phường Ba Đình",
    "phone": "0987 654 321",
}
SECRETS = ["Hoàng Thị Mỹ Xuyên", "Xuyên", "079195001234", "0987654321", "654 321", "Trúc Lạc"]


@pytest.fixture(scope="module")
def server_db(request):
    url = cluster(request.config).create_database()
    server_ok(url, "migrate")
    server_ok(url, "unit", "add", "--code", UNIT, "--name", "UBND xã Tân Lập")
    return url


@pytest.fixture(scope="module")
def server(server_db):
    process = ServerProcess(
        server_db,
        env={"COUNTER_SERVER_ENROLL_RATE": "5", "COUNTER_SERVER_AUTH_FAILURE_RATE": "8"},
    ).start()
    yield process
    process.stop()


def call(server, method, path, *, token=None, body=None, headers=None):
    sent = dict(HEADERS)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        sent |= {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        data = gzip.compress(json.dumps(body, ensure_ascii=False).encode())
    sent.update(headers or {})
    return requests.request(method, server.url + path, headers=sent, data=data, timeout=30)


def code_for(server_db, station=0) -> str:
    out = server_ok(server_db, "enroll", "--unit-code", UNIT, "--station", str(station))
    return out.strip().splitlines()[-1]


def test_enrollment_is_rate_limited_per_address(server, server_db):
    answers = [
        call(server, "POST", "/api/v1/enroll", body={"code": "AAAA-BBBB-CCCC-DDDD"})
        for _ in range(7)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]
    refusal = answers[-1].json()
    assert refusal["error"] == "rate_limited" and "một phút" in refusal["message"]
    # Even a good code waits: guessing cannot go faster than the limit.
    good = call(server, "POST", "/api/v1/enroll", body={"code": code_for(server_db)})
    assert good.status_code == 429


def test_refused_tokens_are_rate_limited_and_revocation_holds(server_db):
    process = ServerProcess(server_db, env={"COUNTER_SERVER_AUTH_FAILURE_RATE": "8"}).start()
    try:
        answer = call(process, "POST", "/api/v1/enroll", body={"code": code_for(server_db, 4)})
        token = answer.json()["token"]
        assert call(process, "GET", "/api/v1/changes", token=token).status_code == 200
        server_ok(server_db, "device", "revoke", "--unit-code", UNIT, "--station", "4")
        revoked = call(process, "GET", "/api/v1/changes", token=token)
        assert revoked.status_code == 401 and "thu hồi" in revoked.json()["message"]
        statuses = [
            call(process, "GET", "/api/v1/changes", token=uuid.uuid4().hex).status_code
            for _ in range(9)
        ]
        assert statuses[:7] == [401] * 7 and statuses[-1] == 429
        limited = call(process, "GET", "/api/v1/changes", token=token)
        assert limited.status_code == 429 and "đợi một phút" in limited.json()["message"]
    finally:
        process.stop()


def test_no_personal_data_in_the_server_log(server_db, tmp_path):
    """Push a dossier (accepted), the same with a bad field (quarantined) and a request that
    fails validation, all carrying one applicant's data; then search the whole log."""
    from counter_app.app import open_context
    from counter_app.services.catalog import import_catalog
    from counter_app.services.office import setup_office
    from counter_app.services.registration import register_dossier

    process = ServerProcess(server_db, env={"COUNTER_SERVER_AUTH_FAILURE_RATE": "1000"})
    process.log.write_text("")
    process.start()
    try:
        token = call(
            process, "POST", "/api/v1/enroll", body={"code": code_for(server_db, 5)}
        ).json()["token"]
        ctx = open_context(tmp_path / "station")
        setup_office(ctx, unit_code=UNIT, unit_name="UBND xã Tân Lập", station=5)
        import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
        register_dossier(ctx, registration(applicant=dict(APPLICANT)))
        from sqlalchemy import select

        from counter_app.models import OutboxItem

        with ctx.db.read() as session:
            item = session.scalars(select(OutboxItem)).first()
            pushed = {
                "uuid": item.uuid,
                "kind": item.kind,
                "dossier_uuid": item.dossier_uuid,
                "created_at": item.created_at.isoformat(),
                "payload": item.payload,
            }
        ctx.db.close()
        bad = json.loads(json.dumps(pushed))
        bad["uuid"] = str(uuid.uuid4())
        bad["payload"]["applicant"]["date_of_birth"] = "Hoàng Thị Mỹ Xuyên 079195001234"
        answer = call(process, "POST", "/api/v1/push", token=token, body={"items": [pushed, bad]})
        assert [r["outcome"] for r in answer.json()["results"]] == ["accepted", "rejected"]
        invalid = call(
            process,
            "POST",
            "/api/v1/push",
            token=token,
            body={"items": [{"uuid": "0987654321", "kind": APPLICANT["full_name"]}]},
        )
        assert invalid.status_code == 422
        assert all(s not in invalid.text for s in SECRETS)  # the refusal names the field only
        call(process, "GET", "/track/079195001234")
        call(process, "GET", "/api/v1/track/0987654321")
    finally:
        process.stop()
    log = process.log.read_text("utf-8", errors="replace")
    assert "POST /api/v1/push" in log  # the log was captured
    leaked = [s for s in SECRETS[:4] if s in log and not s.isdigit()]
    assert leaked == []
    # Digits appear in the log only as typed into a lookup URL by the caller themselves.
    for line in log.splitlines():
        if "079195001234" in line or "0987654321" in line:
            assert "/track/" in line, line


def test_headers_no_banner_nosniff_frames_and_csp(server, server_db):
    for path in ("/api/v1/health", "/api/v1/hello", "/track/000.00.12.H49-261126-0001"):
        answer = call(server, "GET", path)
        headers = {k.lower(): v for k, v in answer.headers.items()}
        assert "server" not in headers, headers.get("server")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "uvicorn" not in json.dumps(headers).lower()
    page = call(server, "GET", "/track/000.00.12.H49-261126-0001")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # no scripts at all on the page


def test_cors_is_closed_by_default_and_open_only_to_listed_sites(server, server_db):
    evil = {"Origin": "https://evil.example"}
    preflight = {
        **evil,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    for answer in (
        call(server, "GET", "/api/v1/track/X", headers=evil),
        call(server, "OPTIONS", "/api/v1/push", headers=preflight),
    ):
        assert "access-control-allow-origin" not in {k.lower() for k in answer.headers}
    portal = "https://dichvucong.tinh.gov.vn"
    process = ServerProcess(server_db, env={"COUNTER_SERVER_CORS_ORIGINS": portal}).start()
    try:
        allowed = call(process, "GET", "/api/v1/track/X", headers={"Origin": portal})
        assert allowed.headers.get("access-control-allow-origin") == portal
        assert "access-control-allow-credentials" not in {k.lower() for k in allowed.headers}
        other = call(process, "GET", "/api/v1/track/X", headers=evil)
        assert "access-control-allow-origin" not in {k.lower() for k in other.headers}
        push_preflight = call(
            process, "OPTIONS", "/api/v1/push", headers={**preflight, "Origin": portal}
        )
        assert push_preflight.status_code == 400  # POST and Authorization are not allowed
    finally:
        process.stop()
