"""Fixtures of the tests that talk to the real central server: a throwaway PostgreSQL cluster
per session, a migrated database with one unit and a uvicorn server per module."""

import pytest
from server.harness import ServerProcess, cluster, server_ok

UNIT = "000.00.12.H49"


@pytest.fixture(scope="session")
def pg(request):
    return cluster(request.config)


@pytest.fixture(scope="module")
def server_db(pg) -> str:
    url = pg.create_database()
    server_ok(url, "migrate")
    server_ok(url, "unit", "add", "--code", UNIT, "--name", "UBND xã Tân Lập")
    return url


@pytest.fixture(scope="module")
def server(server_db):
    process = ServerProcess(server_db).start()
    yield process
    process.stop()


@pytest.fixture
def fast_backoff(monkeypatch):
    """Retries keep their shape, with millisecond waits."""
    monkeypatch.setattr("counter_app.sync.client.BACKOFF_FACTOR", 0.01)
    monkeypatch.setattr("counter_app.sync.engine.STEP_BACKOFF", 0.01)
