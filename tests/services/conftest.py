import json

import pytest
from support import DATA


@pytest.fixture
def test_catalog(ctx):
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    return ctx
