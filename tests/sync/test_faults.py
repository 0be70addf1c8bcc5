"""Failures on the way: the server killed in the middle of a push, a connection cut in the
middle of an answer, an attachment upload cut and resumed. Every dossier ends up stored once."""

import threading
from datetime import timedelta

import pytest
from helpers import outbox_counts, point_at, server_codes, server_stats
from server.harness import FaultProxy, ServerProcess
from support import registration

from counter_app.services.registration import register_dossier
from counter_app.sync import engine
from counter_app.sync.client import ServerUnreachable, SyncClient
from counter_app.sync.engine import load_config, sync_once

UNIT = "000.00.12.H49"


def register_many(ctx, n: int) -> list[str]:
    return [register_dossier(ctx, registration())["code"] for _ in range(n)]


def assert_stored_once(server_db, codes) -> None:
    on_server = server_codes(server_db)
    assert sorted(c for c in on_server if c in set(codes)) == sorted(codes)
    assert len(on_server) == len(set(on_server))


def test_server_killed_in_the_middle_of_a_push(server_db, make_station):
    process = ServerProcess(server_db).start()
    proxy = FaultProxy(process.port)
    try:
        ctx = make_station(0, process.url)
        ctx.clock.now -= timedelta(days=10)
        codes = register_many(ctx, 150)  # two batches of 100 and 50
        point_at(ctx, proxy.url)
        killed = threading.Event()

        def kill() -> None:
            process.kill()  # SIGKILL while the batch is being stored
            killed.set()

        proxy.on_request("POST /api/v1/push", kill)
        with pytest.raises(ServerUnreachable):
            sync_once(ctx)
        assert killed.is_set()
        _, pending, _ = outbox_counts(ctx)
        assert pending > 0  # what the server may have stored is not known here: kept

        process.start()  # the same port: the proxy reaches it again
        report = sync_once(ctx)
        assert outbox_counts(ctx) == (150, 0, 0)
        assert report.clean, report.warnings
        assert_stored_once(server_db, codes)
        assert server_stats(server_db)["units"][UNIT]["stations"]["0"]["dossiers"] >= 150
    finally:
        proxy.close()
        process.stop()


def test_connection_cut_in_the_middle_of_the_answer(server, server_db, make_station):
    proxy = FaultProxy(server.port)
    try:
        ctx = make_station(0, server.url)
        ctx.clock.now -= timedelta(days=11)
        codes = register_many(ctx, 30)
        point_at(ctx, proxy.url)
        # The server stores the batch, then the counter gets 40 bytes of its answer.
        proxy.cut_response("POST /api/v1/push", after=40)
        proxy.cut_response("GET /api/v1/changes", after=200)
        report = sync_once(ctx)  # the push and the pull are retried with the same items
        assert proxy.cuts_done == 2
        assert report.pushed == 30 and report.clean, report.warnings
        assert outbox_counts(ctx) == (30, 0, 0)
        assert_stored_once(server_db, codes)

        # Cut again on a second station whose whole round fails: the next round recovers.
        second = make_station(1, server.url)
        second.clock.now = ctx.clock.now
        more = register_many(second, 5)
        point_at(second, proxy.url)
        for _ in range(3):  # every attempt of the round is cut
            proxy.cut_response("POST /api/v1/push", after=10)
        client = SyncClient(proxy.url, token=load_config(second).token, retries=0)
        with pytest.raises(ServerUnreachable):
            sync_once(second, client=client)
        assert proxy.cuts_done == 5
        assert_stored_once(server_db, more)  # stored by the server although unacknowledged
        assert outbox_counts(second) == (0, 5, 0)
        assert sync_once(second).pushed == 5
        assert outbox_counts(second) == (5, 0, 0)
        assert_stored_once(server_db, codes + more)
        # The first station learns the second's dossiers, each once.
        sync_once(ctx)
        from helpers import local_dossier

        assert all(local_dossier(ctx, c)["station"] == 1 for c in more)
    finally:
        proxy.close()


def test_attachment_upload_resumes_after_a_cut(server, server_db, make_station, tmp_path):
    import hashlib
    import os

    from central_server.db import ServerDatabase
    from central_server.service import attachment_bytes
    from counter_app.services.attachments import add_attachment
    from counter_app.services.context import put_setting

    proxy = FaultProxy(server.port)
    db = ServerDatabase(server_db)
    try:
        ctx = make_station(0, server.url)
        ctx.clock.now -= timedelta(days=12)
        with ctx.db.write() as session:
            put_setting(session, engine.CHUNK_BYTES, 64 * 1024)
        code = register_dossier(ctx, registration())["code"]
        scan = tmp_path / "giay-to.pdf"
        content = b"%PDF-1.7\n" + os.urandom(600_000)
        scan.write_bytes(content)
        attachment = add_attachment(ctx, code, scan)
        point_at(ctx, proxy.url)

        sent: list[tuple[int, int]] = []
        original = SyncClient.put_chunk

        def logged(self, uuid, offset, data):
            sent.append((offset, len(data)))
            return original(self, uuid, offset, data)

        SyncClient.put_chunk = logged
        try:
            # The connection drops after ~250 kB of the upload; this round gives up.
            proxy.cut_request("PUT /api/v1/attachments", after=250_000)
            client = SyncClient(proxy.url, token=load_config(ctx).token, retries=0)
            original_attempts = engine.STEP_ATTEMPTS
            engine.STEP_ATTEMPTS = 1
            try:
                with pytest.raises(ServerUnreachable):
                    sync_once(ctx, client=client)
            finally:
                engine.STEP_ATTEMPTS = original_attempts
            state = client.attachment_state(attachment["uuid"])
            assert 0 < state.received_bytes < len(content) and not state.complete
            resumed_from = state.received_bytes
            sent.clear()
            report = sync_once(ctx)
        finally:
            SyncClient.put_chunk = original
        assert report.uploaded == 1
        assert sent[0][0] == resumed_from  # not from zero
        assert sum(n for _, n in sent) == len(content) - resumed_from
        stored = attachment_bytes(db, attachment["uuid"])
        assert hashlib.sha256(stored).hexdigest() == attachment["sha256"]
        assert sync_once(ctx).uploaded == 0  # done once
    finally:
        db.close()
        proxy.close()
