"""Shared test data: a small catalog with one procedure of each duration kind, an applicant."""

from pathlib import Path

DATA = Path(__file__).parent / "data"

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
