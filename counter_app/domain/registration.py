"""What a clerk (or a JSON file) gives to register a dossier: parsing and validation.

Every refusal names the input field it comes from, so the clerk knows what to correct; nothing
here touches the database, so a refused input cannot leave anything half-saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from counter_app.domain.cccd import parse_cccd_qr, parse_gender, validate_id_number
from counter_app.domain.errors import InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.domain.text import clean, fold

APPLICANT_KINDS = {
    "citizen": "Công dân",
    "business": "Doanh nghiệp",
    "agency": "Cơ quan nhà nước",
    "organisation": "Tổ chức khác",
}
ID_TYPES = {
    "cccd": "Căn cước / CCCD",
    "cmnd": "CMND",
    "passport": "Hộ chiếu",
    "tax_code": "Mã số thuế / mã số doanh nghiệp",
}
CHANNELS = {"counter": "Trực tiếp", "post": "Bưu chính", "online": "Trực tuyến"}
RETURN_METHODS = {"counter": "Tại Bộ phận Một cửa", "post": "Qua dịch vụ bưu chính công ích"}
# How far back a dossier received on paper during an outage may be entered.
MAX_BACKDATE = timedelta(days=90)
# A PC clock slightly ahead of the server is not a reason to refuse a receipt.
FUTURE_TOLERANCE = timedelta(minutes=2)

TOP_LEVEL_KEYS = {
    "procedure_code",
    "applicant",
    "cccd_qr",
    "documents",
    "sets",
    "channel",
    "return_method",
    "received_at",
    "fee",
}
APPLICANT_KEYS = {
    "kind",
    "full_name",
    "id_type",
    "id_number",
    "date_of_birth",
    "gender",
    "address",
    "phone",
    "email",
}
DOCUMENT_KEYS = {"name", "original", "certified_copy", "photocopy", "copy", "received"}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")
_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass(frozen=True)
class ApplicantInput:
    full_name: str
    kind: str = "citizen"
    id_type: str = "cccd"
    id_number: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    @property
    def name_folded(self) -> str:
        return fold(self.full_name)


@dataclass(frozen=True)
class DocumentInput:
    name: str
    original: int = 0
    certified_copy: int = 0
    photocopy: int = 0
    received: bool = True


@dataclass(frozen=True)
class RegistrationInput:
    procedure_code: str
    applicant: ApplicantInput
    documents: tuple[DocumentInput, ...] | None = None  # None: the procedure's own list
    sets: int = 1
    channel: str = "counter"
    return_method: str = "counter"
    received_at: datetime | None = None  # None: now
    fee: int | None = None  # None: the procedure's fee


def _reject_unknown(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(
            f"Trường không được hỗ trợ: {', '.join(unknown)}. "
            f"Các trường hợp lệ: {', '.join(sorted(allowed))}.",
            field=f"{where}{unknown[0]}",
        )


def _string(data: dict, key: str, field_name: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("Phải là chuỗi ký tự.", field=field_name)
    value = clean(value)
    if required and not value:
        raise InvalidInput("Không được để trống.", field=field_name)
    return value


def _int(data: dict, key: str, field_name: str, low: int, high: int, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"Phải là số nguyên từ {low} đến {high}.", field=field_name)
    return value


def _choice(data: dict, key: str, field_name: str, choices: dict[str, str]) -> str:
    value = _string(data, key, field_name) or next(iter(choices))
    if value not in choices:
        raise InvalidInput(
            f"Giá trị «{value}» không hợp lệ; chọn một trong: {', '.join(choices)}.",
            field=field_name,
        )
    return value


def parse_date_of_birth(
    text: str, today: date, field_name: str = "applicant.date_of_birth"
) -> date:
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            day, month, year = (int(p) for p in text.split("/"))
            value = date(year, month, day)
        else:
            value = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"Ngày sinh «{text}» không hợp lệ; nhập theo dạng YYYY-MM-DD (ví dụ 1990-03-25).",
            field=field_name,
        ) from None
    if value > today:
        raise InvalidInput(f"Ngày sinh {value:%d/%m/%Y} ở tương lai.", field=field_name)
    if value.year < 1900:
        raise InvalidInput(f"Ngày sinh {value:%d/%m/%Y} quá xa trong quá khứ.", field=field_name)
    return value


def parse_phone(text: str, field_name: str = "applicant.phone") -> str:
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9,10}", digits):
        raise InvalidInput(
            f"Số điện thoại «{text}» không hợp lệ; cần 10 hoặc 11 chữ số, bắt đầu bằng 0.",
            field=field_name,
        )
    return digits


def _id_number(id_type: str, number: str, applicant: ApplicantInput) -> str:
    field_name = "applicant.id_number"
    number = number.replace(" ", "")
    if id_type == "cccd":
        return validate_id_number(
            number, applicant.date_of_birth, applicant.gender or None, field=field_name
        )
    if id_type == "cmnd" and not re.fullmatch(r"\d{9}", number):
        raise InvalidInput(f"Số CMND «{number}» phải gồm đúng 9 chữ số.", field=field_name)
    if id_type == "passport" and not _PASSPORT.fullmatch(number.upper()):
        raise InvalidInput(
            f"Số hộ chiếu «{number}» không hợp lệ (6–12 chữ cái hoặc chữ số).", field=field_name
        )
    if id_type == "tax_code" and not _TAX_CODE.fullmatch(number):
        raise InvalidInput(
            f"Mã số thuế «{number}» không hợp lệ (10 chữ số, hoặc 10 chữ số-3 chữ số).",
            field=field_name,
        )
    return number.upper() if id_type == "passport" else number


def parse_applicant(data: Any, today: date) -> ApplicantInput:
    if not isinstance(data, dict):
        raise InvalidInput("Phải là một đối tượng JSON.", field="applicant")
    _reject_unknown(data, APPLICANT_KEYS, "applicant.")
    kind = _choice(data, "kind", "applicant.kind", APPLICANT_KINDS)
    default_id_type = "cccd" if kind == "citizen" else "tax_code"
    id_type = _string(data, "id_type", "applicant.id_type") or default_id_type
    if id_type not in ID_TYPES:
        raise InvalidInput(
            f"Loại giấy tờ «{id_type}» không hợp lệ; chọn một trong: {', '.join(ID_TYPES)}.",
            field="applicant.id_type",
        )
    applicant = ApplicantInput(
        full_name=_string(data, "full_name", "applicant.full_name", required=True),
        kind=kind,
        id_type=id_type,
        address=_string(data, "address", "applicant.address"),
    )
    if len(applicant.full_name) > 200:
        raise InvalidInput("Họ tên quá dài (tối đa 200 ký tự).", field="applicant.full_name")
    dob = _string(data, "date_of_birth", "applicant.date_of_birth")
    gender = _string(data, "gender", "applicant.gender")
    phone = _string(data, "phone", "applicant.phone")
    email = _string(data, "email", "applicant.email")
    if email and not _EMAIL.fullmatch(email):
        raise InvalidInput(f"Địa chỉ thư điện tử «{email}» không hợp lệ.", field="applicant.email")
    applicant = replace(
        applicant,
        date_of_birth=parse_date_of_birth(dob, today) if dob else None,
        gender=parse_gender(gender, "applicant.gender") if gender else "",
        phone=parse_phone(phone) if phone else "",
        email=email,
    )
    number = _string(data, "id_number", "applicant.id_number")
    if not number and kind == "citizen":
        raise InvalidInput(
            "Cần số định danh cá nhân (12 chữ số trên thẻ căn cước) hoặc số giấy tờ khác.",
            field="applicant.id_number",
        )
    if number:
        applicant = replace(applicant, id_number=_id_number(id_type, number, applicant))
    return applicant


def applicant_from_qr(payload: Any, extra: dict | None) -> ApplicantInput:
    """The applicant read from a scanned ID card; `extra` may add phone, email, address."""
    if not isinstance(payload, str):
        raise InvalidInput("Phải là chuỗi ký tự quét từ mã QR.", field="cccd_qr")
    card = parse_cccd_qr(payload)
    extra = extra or {}
    if not isinstance(extra, dict):
        raise InvalidInput("Phải là một đối tượng JSON.", field="applicant")
    _reject_unknown(extra, APPLICANT_KEYS, "applicant.")
    phone = _string(extra, "phone", "applicant.phone")
    email = _string(extra, "email", "applicant.email")
    if email and not _EMAIL.fullmatch(email):
        raise InvalidInput(f"Địa chỉ thư điện tử «{email}» không hợp lệ.", field="applicant.email")
    return ApplicantInput(
        full_name=card.full_name,
        kind="citizen",
        id_type="cccd",
        id_number=card.id_number,
        date_of_birth=card.date_of_birth,
        gender=card.gender,
        address=_string(extra, "address", "applicant.address") or card.address,
        phone=parse_phone(phone) if phone else "",
        email=email,
    )


def parse_documents(data: Any) -> tuple[DocumentInput, ...]:
    if not isinstance(data, list):
        raise InvalidInput("Phải là một danh sách giấy tờ.", field="documents")
    documents = []
    for index, entry in enumerate(data):
        where = f"documents[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput("Mỗi giấy tờ phải là một đối tượng JSON.", field=where)
        _reject_unknown(entry, DOCUMENT_KEYS, f"{where}.")
        received = entry.get("received", True)
        if not isinstance(received, bool):
            raise InvalidInput("Phải là true hoặc false.", field=f"{where}.received")
        certified = _int(entry, "certified_copy", f"{where}.certified_copy", 0, 99, 0)
        if "copy" in entry:
            certified = _int(entry, "copy", f"{where}.copy", 0, 99, 0)
        documents.append(
            DocumentInput(
                name=_string(entry, "name", f"{where}.name", required=True),
                original=_int(entry, "original", f"{where}.original", 0, 99, 0),
                certified_copy=certified,
                photocopy=_int(entry, "photocopy", f"{where}.photocopy", 0, 99, 0),
                received=received,
            )
        )
    return tuple(documents)


def parse_received_at(text: Any, now: datetime) -> datetime:
    """A receipt time typed in; without an offset it is office time. Never in the future."""
    if not isinstance(text, str):
        raise InvalidInput("Phải là thời điểm dạng ISO 8601.", field="received_at")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"Thời điểm «{text}» không hợp lệ; nhập dạng 2026-11-26T09:30:00+07:00.",
            field="received_at",
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=OFFICE_TZ)
    value = value.astimezone(OFFICE_TZ)
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"Thời điểm tiếp nhận {value:%H:%M %d/%m/%Y} ở tương lai; kiểm tra lại ngày giờ "
            "(và đồng hồ của máy).",
            field="received_at",
        )
    if value < now - MAX_BACKDATE:
        raise InvalidInput(
            f"Thời điểm tiếp nhận {value:%d/%m/%Y} cũ hơn {MAX_BACKDATE.days} ngày; "
            "hồ sơ nhập bù sau mất điện, mất mạng phải trong vòng 90 ngày.",
            field="received_at",
        )
    return value


def parse_registration(data: Any, now: datetime) -> RegistrationInput:
    """Validate a registration request; `now` is an aware datetime (the station's clock)."""
    if not isinstance(data, dict):
        raise InvalidInput("Dữ liệu tiếp nhận phải là một đối tượng JSON.", field="(gốc)")
    _reject_unknown(data, TOP_LEVEL_KEYS, "")
    today = now.astimezone(OFFICE_TZ).date()
    procedure_code = _string(data, "procedure_code", "procedure_code", required=True)
    if data.get("cccd_qr") not in (None, ""):
        applicant = applicant_from_qr(data["cccd_qr"], data.get("applicant"))
    elif "applicant" in data:
        applicant = parse_applicant(data["applicant"], today)
    else:
        raise InvalidInput(
            "Cần thông tin người nộp: «applicant» hoặc «cccd_qr» (mã QR trên thẻ căn cước).",
            field="applicant",
        )
    documents = parse_documents(data["documents"]) if "documents" in data else None
    fee = None
    if "fee" in data:
        fee = _int(data, "fee", "fee", 0, 1_000_000_000, 0)
    return RegistrationInput(
        procedure_code=procedure_code,
        applicant=applicant,
        documents=documents,
        sets=_int(data, "sets", "sets", 1, 99, 1),
        channel=_choice(data, "channel", "channel", CHANNELS),
        return_method=_choice(data, "return_method", "return_method", RETURN_METHODS),
        received_at=parse_received_at(data["received_at"], now) if "received_at" in data else None,
        fee=fee,
    )
