"""Reading a procedure catalog: what is refused, and with which words."""

import pytest

from counter_app.domain.catalog import PROCEDURE_NAME_MAX_LENGTH, parse_catalog
from counter_app.domain.errors import InvalidInput


def procedure(name: str) -> dict:
    return {"code": "1.013831", "name": name, "duration": {"kind": "working_days", "value": 5}}


def test_a_long_national_name_is_kept_whole():
    name = "Thủ tục " + "đăng ký " * 70  # longer than 500 characters, as 1.013831 is
    (spec,) = parse_catalog({"procedures": [procedure(name)]})
    assert spec.name == name.strip() and len(spec.name) > 500


def test_a_name_beyond_the_limit_is_refused_with_its_length():
    name = "x" * (PROCEDURE_NAME_MAX_LENGTH + 1)
    with pytest.raises(InvalidInput, match=f"dài {PROCEDURE_NAME_MAX_LENGTH + 1} ký tự"):
        parse_catalog({"procedures": [procedure(name)]})
