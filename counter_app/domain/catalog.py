"""The procedure catalog file: parsing and validation of what an import brings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from counter_app.domain.appointment import Duration
from counter_app.domain.errors import InvalidInput
from counter_app.domain.text import clean

# National catalog names run long (1.013831 has 569 characters); the sync protocol and the
# server take names up to this length.
PROCEDURE_NAME_MAX_LENGTH = 2000


@dataclass(frozen=True)
class RequiredDocument:
    name: str
    original: int
    copy: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "original": self.original, "copy": self.copy}
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class ProcedureSpec:
    """One procedure as the catalog file describes it."""

    code: str
    name: str
    sector: str
    agency: str
    duration: Duration
    fee: int
    documents: tuple[RequiredDocument, ...]

    def content(self) -> dict[str, Any]:
        """Everything that makes a version: a change in any of it is a new version."""
        return {
            "name": self.name,
            "sector": self.sector,
            "agency": self.agency,
            "duration": self.duration.to_dict(),
            "fee": self.fee,
            "documents": [d.to_dict() for d in self.documents],
        }


def _text(entry: dict, key: str, where: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: «{key}» phải là chuỗi ký tự.", field=key)
    value = clean(value)
    if required and not value:
        raise InvalidInput(f"{where}: thiếu «{key}».", field=key)
    return value


def _count(entry: dict, key: str, where: str) -> int:
    value = entry.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 99:
        raise InvalidInput(f"{where}: «{key}» phải là số nguyên từ 0 đến 99.", field=key)
    return value


def _document(entry: Any, where: str) -> RequiredDocument:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}: mỗi giấy tờ phải là một đối tượng JSON.", field="documents")
    return RequiredDocument(
        name=_text(entry, "name", where),
        original=_count(entry, "original", where),
        copy=_count(entry, "copy", where),
        note=_text(entry, "note", where, required=False),
    )


def parse_procedure(entry: Any, index: int) -> ProcedureSpec:
    where = f"Thủ tục thứ {index + 1}"
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}: phải là một đối tượng JSON.", field="procedures")
    code = _text(entry, "code", where)
    where = f"Thủ tục {code}"
    fee = entry.get("fee", 0)
    if isinstance(fee, bool) or not isinstance(fee, int) or fee < 0:
        raise InvalidInput(f"{where}: «fee» phải là số đồng nguyên không âm.", field="fee")
    duration = entry.get("duration")
    if not isinstance(duration, dict):
        raise InvalidInput(f"{where}: thiếu «duration» (thời hạn giải quyết).", field="duration")
    try:
        parsed_duration = Duration.from_dict(duration)
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error.message}", field="duration") from error
    documents = entry.get("documents", [])
    if not isinstance(documents, list):
        raise InvalidInput(f"{where}: «documents» phải là một danh sách.", field="documents")
    name = _text(entry, "name", where)
    if len(name) > PROCEDURE_NAME_MAX_LENGTH:
        raise InvalidInput(
            f"{where}: tên thủ tục dài {len(name)} ký tự, quá {PROCEDURE_NAME_MAX_LENGTH} ký tự.",
            field="name",
        )
    return ProcedureSpec(
        code=code,
        name=name,
        sector=_text(entry, "sector", where, required=False),
        agency=_text(entry, "agency", where, required=False),
        duration=parsed_duration,
        fee=fee,
        documents=tuple(
            _document(d, f"{where}, giấy tờ thứ {i + 1}") for i, d in enumerate(documents)
        ),
    )


def parse_catalog(data: Any) -> list[ProcedureSpec]:
    """Validate a whole catalog file; the first problem found is refused, naming the procedure."""
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise InvalidInput('Tệp danh mục phải có dạng {"procedures": [...]}.', field="procedures")
    procedures = [parse_procedure(entry, i) for i, entry in enumerate(data["procedures"])]
    seen: set[str] = set()
    for procedure in procedures:
        if procedure.code in seen:
            raise InvalidInput(
                f"Mã thủ tục {procedure.code} xuất hiện hai lần trong tệp.", field="code"
            )
        seen.add(procedure.code)
    if not procedures:
        raise InvalidInput("Tệp danh mục không có thủ tục nào.", field="procedures")
    return procedures
