import os

# Before any QApplication exists: there is no display here.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime
from pathlib import Path

import pytest

from counter_app.domain.office_time import OFFICE_TZ

# Fixtures of the real central server (PostgreSQL, uvicorn) for tests/sync and tests/reliability.
pytest_plugins = ["live_server"]

UNIT_CODE = "000.00.12.H49"


@pytest.fixture
def clock():
    """A settable station clock, in office time: Thursday 26 November 2026, 09:00."""

    class Clock:
        now = datetime(2026, 11, 26, 9, 0, tzinfo=OFFICE_TZ)

        def __call__(self) -> datetime:
            return self.now

    return Clock()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """A database migrated and seeded once per test session; each test gets its own copy."""
    from counter_app.app import open_context
    from counter_app.models.database import DB_FILENAME

    data_dir = tmp_path_factory.mktemp("template")
    open_context(data_dir).db.close()  # the last connection's close checkpoints the WAL
    return data_dir / DB_FILENAME


@pytest.fixture
def ctx(tmp_path: Path, clock, migrated_database: Path):
    """A freshly set-up station (unit 000.00.12.H49, station 0) with the demo catalog."""
    import shutil

    from counter_app.app import open_context
    from counter_app.services.office import setup_office

    (tmp_path / "data").mkdir()
    shutil.copy(migrated_database, tmp_path / "data" / migrated_database.name)
    context = open_context(tmp_path / "data")
    context.clock = clock
    setup_office(context, unit_code=UNIT_CODE, unit_name="UBND xã Tân Lập", place="Hà Nội")
    yield context
    context.db.close()
