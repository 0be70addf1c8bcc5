"""Fixtures of the reliability tests: prepared station folders, the real server, the crash
worker (fork server)."""

import json
import shutil
from pathlib import Path

import pytest
from support import DATA

UNIT = "000.00.12.H49"


@pytest.fixture(autouse=True)
def quick_retries(fast_backoff):
    """Every test here retries with millisecond waits (live_server.fast_backoff)."""


def prepare_station(folder: Path, migrated_database: Path, station: int = 0) -> Path:
    """A set-up station folder (unit, station, test catalog); returns the folder."""
    from counter_app.app import open_context
    from counter_app.services.catalog import import_catalog
    from counter_app.services.office import setup_office

    folder.mkdir(parents=True)
    shutil.copy(migrated_database, folder / migrated_database.name)
    ctx = open_context(folder)
    setup_office(ctx, unit_code=UNIT, unit_name="UBND xã Tân Lập", station=station, place="Hà Nội")
    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    ctx.db.close()
    return folder


@pytest.fixture
def station_dir(tmp_path, migrated_database) -> Path:
    return prepare_station(tmp_path / "station", migrated_database)


@pytest.fixture(scope="module")
def zygote(tmp_path_factory, migrated_database):
    from reliability.crash_harness import Zygote

    warm = prepare_station(tmp_path_factory.mktemp("warm") / "station", migrated_database)
    worker = Zygote(warm)
    yield worker
    worker.close()
