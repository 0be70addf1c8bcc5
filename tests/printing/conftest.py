import json

import pytest
from support import DATA


@pytest.fixture
def test_catalog(ctx):
    """The small test catalog (T.WD3: 3 working days, T.SAME: same day...)."""
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    return ctx


@pytest.fixture
def station(test_catalog):
    """A station with a governing agency, a hotline and a central server configured."""
    from counter_app.services.context import put_setting
    from counter_app.services.office import setup_office

    ctx = test_catalog
    setup_office(
        ctx,
        unit_code="000.00.12.H49",
        unit_name="UBND xã Tân Lập",
        place="Hà Nội",
        governing_agency="UBND huyện Thạch Thất",
    )
    with ctx.db.write() as session:
        put_setting(session, "server_url", "https://dichvucong.example.vn/")
        put_setting(session, "hotline", "024 3825 1234")
    return ctx
