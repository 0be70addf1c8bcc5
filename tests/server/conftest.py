"""Fixtures of the server tests: the session's PostgreSQL cluster, a migrated database per
module (two units), the real server under uvicorn on a loopback port; the cluster itself comes
from tests/live_server.py."""

import pytest
from server.harness import ServerProcess, server_ok

UNIT = "000.00.12.H49"
OTHER_UNIT = "000.00.13.H49"


@pytest.fixture(scope="module")
def server_db(pg) -> str:
    url = pg.create_database()
    server_ok(url, "migrate")
    server_ok(url, "unit", "add", "--code", UNIT, "--name", "UBND xã Tân Lập")
    server_ok(url, "unit", "add", "--code", OTHER_UNIT, "--name", "UBND xã Tân Hòa")
    return url


@pytest.fixture(scope="module")
def server(server_db):
    process = ServerProcess(server_db).start()
    yield process
    process.stop()
