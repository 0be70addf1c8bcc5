import pytest
from support import APPLICANT, registration

from counter_app.domain.errors import InvalidInput
from counter_app.services.registration import register_dossier
from counter_app.services.search import find_dossiers


@pytest.fixture
def people(test_catalog):
    names = {
        "Nguyễn Văn Dũng": ("001090012345", "0912345678"),
        "Đặng Thị Hằng": ("079185000111", "0987000111"),
        "Trần Đăng Khoa": ("001201000222", "0905000222"),
        "Nguyễn Thị Mai": ("001188000333", ""),
    }
    codes = {}
    for name, (number, phone) in names.items():
        applicant = APPLICANT | {"full_name": name, "id_number": number, "phone": phone}
        year = 1900 + int(number[4:6]) + (100 if number[3] in "23" else 0)
        applicant["date_of_birth"] = f"{year}-01-15"
        applicant["gender"] = "Nam" if number[3] in "02" else "Nữ"
        if not phone:
            del applicant["phone"]
        codes[name] = register_dossier(test_catalog, registration(applicant=applicant))["code"]
    return codes


def names(found):
    return sorted(d["applicant"]["full_name"] for d in found)


def test_name_without_diacritics(test_catalog, people):
    assert names(find_dossiers(test_catalog, "nguyen van dung")) == ["Nguyễn Văn Dũng"]
    assert names(find_dossiers(test_catalog, "NGUYEN")) == ["Nguyễn Thị Mai", "Nguyễn Văn Dũng"]
    # đ folds to d: "dang" finds Đặng and Đăng.
    assert names(find_dossiers(test_catalog, "dang")) == ["Trần Đăng Khoa", "Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, "Đặng Hằng")) == ["Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, "ngu thi")) == ["Nguyễn Thị Mai"]
    assert find_dossiers(test_catalog, "khong co ai") == []


def test_by_code_id_number_and_phone(test_catalog, people):
    code = people["Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, code)) == ["Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, f"  {code}\r\n")) == ["Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, "079185000111")) == ["Đặng Thị Hằng"]
    assert names(find_dossiers(test_catalog, "0905 000 222")) == ["Trần Đăng Khoa"]
    assert names(find_dossiers(test_catalog, "+84905000222")) == ["Trần Đăng Khoa"]
    assert names(find_dossiers(test_catalog, code[-4:])) == ["Đặng Thị Hằng"]


def test_empty_query_is_refused(test_catalog):
    with pytest.raises(InvalidInput):
        find_dossiers(test_catalog, "   ")
    assert find_dossiers(test_catalog, '"*') == []
