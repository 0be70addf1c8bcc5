"""The procedure catalog: import (adding versions, never rewriting), list, look-up."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_app.domain.catalog import ProcedureSpec, parse_catalog
from counter_app.domain.errors import InvalidInput
from counter_app.domain.text import fold
from counter_app.models import Procedure
from counter_app.services.context import Context, record


@dataclass
class CatalogImport:
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary_vi(self) -> str:
        return (
            f"Đã nhập danh mục: {len(self.added)} thủ tục mới, "
            f"{len(self.new_versions)} thủ tục có phiên bản mới, "
            f"{len(self.unchanged)} thủ tục không đổi."
        )


def _content(procedure: Procedure) -> dict:
    return {
        "name": procedure.name,
        "sector": procedure.sector,
        "agency": procedure.agency,
        "duration": procedure.duration,
        "fee": procedure.fee,
        "documents": procedure.documents,
    }


def _add_version(session: Session, spec: ProcedureSpec, version: int, ctx: Context) -> None:
    content = spec.content()
    session.add(
        Procedure(
            code=spec.code,
            version=version,
            is_current=True,
            name_folded=fold(spec.name),
            imported_at=ctx.now(),
            **content,
        )
    )


def import_catalog(
    ctx: Context,
    data: object,
    *,
    source: str = "",
    if_empty: bool = False,
    clerk: str | None = None,
) -> CatalogImport:
    """Import a whole catalog in one transaction: all of it, or nothing if any entry is bad.

    With `if_empty`, only when there is no catalog yet (the demo catalog on first run; checked
    inside the transaction, so two first starts at once import it once).
    """
    specs = parse_catalog(data)
    result = CatalogImport()
    with ctx.db.write() as session:
        if if_empty and session.scalar(select(func.count()).select_from(Procedure)):
            return result
        if not if_empty:  # the shipped demo catalog on first run needs nobody
            from counter_app.services.clerks import check_acting

            check_acting(session, clerk, "supervisor", "nhập danh mục thủ tục")
        for spec in specs:
            current = session.scalars(
                select(Procedure).where(Procedure.code == spec.code, Procedure.is_current)
            ).first()
            if current is None:
                _add_version(session, spec, 1, ctx)
                result.added.append(spec.code)
            elif _content(current) != spec.content():
                current.is_current = False
                session.flush()
                _add_version(session, spec, current.version + 1, ctx)
                result.new_versions.append(spec.code)
            else:
                result.unchanged.append(spec.code)
        record(
            session,
            ctx.now(),
            clerk_id=None,
            action="catalog.import",
            entity="catalog",
            details={
                "source": source,
                "added": result.added,
                "new_versions": result.new_versions,
            },
        )
    return result


def load_json_file(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"Không tìm thấy tệp {what} «{path}».", field="file") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"Tệp {what} «{path}» không phải UTF-8.", field="file") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"Tệp {what} «{path}» không phải JSON hợp lệ (dòng {error.lineno}, "
            f"cột {error.colno}: {error.msg}).",
            field="file",
        ) from None


def list_current(ctx: Context) -> list[Procedure]:
    with ctx.db.read() as session:
        return list(
            session.scalars(
                select(Procedure)
                .where(Procedure.is_current)
                .order_by(Procedure.sector, Procedure.name)
            )
        )


def count_procedures(ctx: Context) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(Procedure)) or 0


def current_procedure(session: Session, code: str) -> Procedure | None:
    return session.scalars(
        select(Procedure).where(Procedure.code == code, Procedure.is_current)
    ).first()
