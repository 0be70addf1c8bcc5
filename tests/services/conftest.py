import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def test_catalog(ctx):
    from counter_app.services.catalog import import_catalog

    import_catalog(ctx, json.loads((DATA / "catalog.json").read_text("utf-8")))
    return ctx


APPLICANT = {
    "kind": "citizen",
    "full_name": "Nguyễn Văn Dũng",
    "id_number": "001090012345",
    "date_of_birth": "1990-05-17",
    "gender": "Nam",
    "address": "Thôn Đông, xã Tân Lập, Hà Nội",
    "phone": "0912 345 678",
}


def registration(**overrides):
    data = {"procedure_code": "T.WD3", "applicant": dict(APPLICANT)}
    data.update(overrides)
    return data
