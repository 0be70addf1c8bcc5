"""Fixtures of the sync tests: counters (in-process contexts) against the real server."""

import json
import shutil
from pathlib import Path

import pytest
from helpers import enrollment_code
from support import DATA

UNIT = "000.00.12.H49"


@pytest.fixture(autouse=True)
def quick_retries(fast_backoff):
    """Every test here retries with millisecond waits (live_server.fast_backoff)."""


@pytest.fixture
def make_station(tmp_path, migrated_database, clock, server_db):
    """make_station(station, url) -> an enrolled counter context with the test catalog.

    The server (and its unit) is shared by a module's tests, so each test moves the clock to a
    receipt day no other test of the module uses: dossier codes then never collide.
    """
    from counter_app.app import open_context
    from counter_app.services.catalog import import_catalog
    from counter_app.services.sync import enroll_station

    opened = []

    def make(station: int, url: str):
        data = tmp_path / f"station{station}-{len(opened)}"
        data.mkdir()
        shutil.copy(migrated_database, data / Path(migrated_database).name)
        ctx = open_context(data)
        ctx.clock = clock
        code = enrollment_code(server_db, station)
        enroll_station(ctx, url, code)
        import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.db.close()
