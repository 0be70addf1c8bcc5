"""Fixtures of the counter's security tests: a station with one account per role."""

import pytest

PASSWORDS = {"admin": "quan-tri-123", "giamsat": "giam-sat-123", "lan.nt": "tiep-nhan-123"}


@pytest.fixture
def staff(ctx):
    """{username: SignedIn} for an administrator, a supervisor and a clerk."""
    import json

    from support import DATA

    from counter_app.services import clerks
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))

    admin = clerks.set_first_admin_password(
        ctx, full_name="Trần Quản Trị", password=PASSWORDS["admin"]
    )
    supervisor = clerks.create_clerk(
        ctx, username="giamsat", full_name="Lê Giám Sát", password=PASSWORDS["giamsat"],
        role="supervisor", acting=admin,
    )  # fmt: skip
    clerk = clerks.create_clerk(
        ctx, username="lan.nt", full_name="Nguyễn Thị Lan", password=PASSWORDS["lan.nt"],
        acting=admin,
    )  # fmt: skip
    return {"admin": admin, "giamsat": supervisor, "lan.nt": clerk}
