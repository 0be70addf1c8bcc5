"""What crosses the wire: compressed bodies and their limit, compact push answers, announced
limits, and a device's own receipts left out of its change feed (the real server, PostgreSQL)."""

import gzip
import itertools
import json
import zlib
from datetime import timedelta

import pytest
import requests
from server.harness import server_ok
from support import DATA, registration

from counter_app.sync import protocol as p

UNIT = "000.00.12.H49"
HEADERS = {p.HEADER_PROTOCOL: "1", p.HEADER_COUNTER_VERSION: "0.1.0"}
DAYS = itertools.count()


def enroll(server, server_db, station=0) -> str:
    code = server_ok(server_db, "enroll", "--unit-code", UNIT, "--station", str(station))
    answer = requests.post(
        server.url + "/api/v1/enroll",
        json={"code": code.strip().splitlines()[-1]},
        headers=HEADERS,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


@pytest.fixture(scope="module")
def token(server, server_db) -> str:
    return enroll(server, server_db, station=0)


@pytest.fixture
def counter(ctx):
    from counter_app.services.catalog import import_catalog

    ctx.clock.now = ctx.clock.now - timedelta(days=next(DAYS) + 1)
    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    return ctx


def items_of(ctx) -> list[dict]:
    from sqlalchemy import select

    from counter_app.models import OutboxItem

    with ctx.db.read() as session:
        return [
            {
                "uuid": r.uuid,
                "kind": r.kind,
                "created_at": r.created_at.isoformat(),
                "payload": r.payload,
            }
            for r in session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        ]


def post(server, token, body: bytes, **headers):
    sent = {**HEADERS, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return requests.post(
        server.url + "/api/v1/push", data=body, headers={**sent, **headers}, timeout=60
    )


def test_compressed_and_plain_bodies_are_both_accepted(server, token, counter):
    from counter_app.services.registration import register_dossier

    register_dossier(counter, registration())
    register_dossier(counter, registration())
    first, second = items_of(counter)
    packed = gzip.compress(json.dumps({"items": [first]}).encode(), 9)
    answer = post(server, token, packed, **{"Content-Encoding": "gzip"})
    assert answer.status_code == 200, answer.text
    assert [r["outcome"] for r in answer.json()["results"]] == ["accepted"]
    # An older counter (or a tool) sending plain JSON, with dossier_uuid, every item answered.
    old_style = {**second, "dossier_uuid": second["payload"]["uuid"]}
    answer = post(server, token, json.dumps({"items": [old_style]}).encode())
    assert answer.status_code == 200, answer.text
    assert answer.json()["compact"] is False
    assert [r["uuid"] for r in answer.json()["results"]] == [second["uuid"]]


def test_a_body_inflating_beyond_the_limit_is_refused_with_413(server, token):
    # 65 MiB of spaces squeeze into ~65 KB: refused without inflating it all.
    inflated = b'{"items":[' + b" " * (p.MAX_DECOMPRESSED_BYTES + 1024 * 1024) + b"]}"
    bomb = gzip.compress(inflated, 9)
    assert len(bomb) < 200_000
    answer = post(server, token, bomb, **{"Content-Encoding": "gzip"})
    assert answer.status_code == 413
    body = answer.json()
    assert body["error"] == "too_large"
    assert "vượt quá 64 MiB" in body["message"]


def test_a_broken_gzip_body_is_refused_with_400(server, token):
    packed = gzip.compress(b'{"items": []}')
    for broken in (packed[:-12], b"not gzip at all"):
        answer = post(server, token, broken, **{"Content-Encoding": "gzip"})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"] == "bad_body"


def test_a_compact_answer_lists_only_what_the_counter_must_act_on(server, token, counter):
    from counter_app.services.registration import register_dossier

    for _ in range(3):
        register_dossier(counter, registration())
    items = items_of(counter)
    bad = {**items[1], "payload": {**items[1]["payload"], "code": "x"}}
    body = {"items": [items[0], bad, items[2]], "compact": True}
    answer = post(server, token, zlib_gzip(body), **{"Content-Encoding": "gzip"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["compact"] is True
    assert [(r["uuid"], r["outcome"]) for r in data["results"]] == [(bad["uuid"], "rejected")]
    # The same batch again (a retry): the same answer.
    again = post(server, token, zlib_gzip(body), **{"Content-Encoding": "gzip"}).json()
    assert [r["uuid"] for r in again["results"]] == [bad["uuid"]]


def zlib_gzip(body: dict) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(json.dumps(body).encode()) + compressor.flush()


def test_an_item_named_after_its_payload_may_leave_its_uuid_out(server, token, counter):
    from counter_app.services.registration import register_dossier

    dossier = register_dossier(counter, registration())
    (item,) = items_of(counter)
    assert item["uuid"] == dossier["uuid"] == item["payload"]["uuid"]  # named after it
    short = {k: v for k, v in item.items() if k != "uuid"}
    packed = zlib_gzip({"items": [short], "compact": True})
    answer = post(server, token, packed, **{"Content-Encoding": "gzip"}).json()
    assert answer["compact"] is True and answer["results"] == []
    # The same item with its uuid spelled out (an older counter's retry): stored once.
    again = post(server, token, zlib_gzip({"items": [item]}), **{"Content-Encoding": "gzip"})
    (result,) = again.json()["results"]
    assert (result["uuid"], result["outcome"]) == (item["uuid"], "accepted")
    # Neither a uuid nor a payload uuid: the request is malformed.
    bare = {**short, "payload": {k: v for k, v in item["payload"].items() if k != "uuid"}}
    refused = post(server, token, zlib_gzip({"items": [bare]}), **{"Content-Encoding": "gzip"})
    assert refused.status_code == 422


def test_hello_announces_the_limits(server):
    hello = requests.get(server.url + "/api/v1/hello", headers=HEADERS, timeout=30).json()
    assert hello["max_push_items"] == p.MAX_PUSH_ITEMS > p.V1_MAX_PUSH_ITEMS
    assert hello["max_page_size"] == p.MAX_PAGE_SIZE
    assert hello["item_uuid_from_payload"] is True
    # A server that announces nothing is read with the v1 limits.
    announced = ("max_push_items", "max_page_size", "item_uuid_from_payload")
    older = p.Hello.model_validate({k: v for k, v in hello.items() if k not in announced})
    assert (older.max_push_items, older.max_page_size) == (200, 500)
    assert older.item_uuid_from_payload is False


def test_a_device_does_not_pull_back_its_own_receipts(server, server_db, counter):
    """It enrolls station 0 again, which revokes the module's `token`: keep it after the tests
    that use that fixture."""
    from counter_app.services.registration import register_dossier

    def feed(device_token) -> list[str]:
        codes, after = [], 0
        while True:
            answer = requests.get(
                server.url + "/api/v1/changes",
                params={"after": after, "limit": p.MAX_PAGE_SIZE},
                headers={**HEADERS, "Authorization": f"Bearer {device_token}"},
                timeout=30,
            ).json()
            codes += [c["data"]["code"] for c in answer["changes"] if c["kind"] == p.CHANGE_DOSSIER]
            after = answer["next_cursor"]
            if not answer["has_more"]:
                return codes

    pusher = enroll(server, server_db, station=0)
    code = register_dossier(counter, registration())["code"]
    body = zlib_gzip({"items": items_of(counter)})
    assert post(server, pusher, body, **{"Content-Encoding": "gzip"}).status_code == 200
    assert code not in feed(pusher)
    # Another station of the unit, and a replacement PC of station 0, get it.
    assert code in feed(enroll(server, server_db, station=1))
    assert code in feed(enroll(server, server_db, station=0))


def test_a_page_announces_the_next_cursor_before_its_body(server, server_db):
    token = enroll(server, server_db, station=2)
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    server_ok(server_db, "clerk", "add", "--unit-code", UNIT, "--username", "hoa.nt",
              "--full-name", "Nguyễn Thị Hoa")  # fmt: skip
    server_ok(server_db, "clerk", "add", "--unit-code", UNIT, "--username", "lan.pt",
              "--full-name", "Phạm Thị Lan")  # fmt: skip
    answer = requests.get(
        server.url + "/api/v1/changes", params={"after": 0, "limit": 1}, headers=headers, timeout=30
    )
    body = answer.json()
    assert body["has_more"] is True
    assert answer.headers[p.HEADER_HAS_MORE] == "1"
    assert answer.headers[p.HEADER_NEXT_CURSOR] == str(body["next_cursor"])
    last = requests.get(
        server.url + "/api/v1/changes",
        params={"after": 0, "limit": p.MAX_PAGE_SIZE},
        headers=headers,
        timeout=30,
    )
    assert last.headers[p.HEADER_HAS_MORE] == "0"
    assert last.headers[p.HEADER_NEXT_CURSOR] == str(last.json()["next_cursor"])
