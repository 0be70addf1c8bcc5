"""Attachments: a scanned document kept with a dossier and uploaded to the server later.

Only PDF, JPEG and PNG files are taken (checked by name and by their first bytes). The file is
copied into the data folder while its SHA-256 is computed, flushed to disk, then recorded with
its outbox row in one transaction. Importing this module is cheap (no sync client): the window
lists a dossier's scans with it on the GUI thread.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.domain.errors import InvalidInput
from counter_app.models import Attachment, Dossier
from counter_app.services.context import Context, load_clerk, new_uuid, record
from counter_app.services.transitions import load_dossier

ATTACHMENTS_DIR = "attachments"
# Same figure as counter_app.sync.protocol.MAX_ATTACHMENT_BYTES (a test checks): what the
# server accepts. Not imported from there, which would load pydantic on the GUI thread.
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
_SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
_BLOCK = 1 << 20


def human_size(size: int) -> str:
    """1536 -> "1,5 KB" (Vietnamese decimal comma)."""
    if size < 1024:
        return f"{size} byte"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}".replace(".", ",")
    return ""  # pragma: no cover


def check_scan_file(source: Path) -> str:
    """The content type of an acceptable scan; otherwise a sentence the clerk can act on."""
    if not source.is_file():
        raise InvalidInput(f"Không tìm thấy tệp «{source}».", field="file")
    content_type = CONTENT_TYPES.get(source.suffix.lower())
    if content_type is None:
        raise InvalidInput(
            f"Tệp «{source.name}» không phải bản quét PDF, JPG hoặc PNG; hãy quét lại hoặc lưu "
            "tệp dưới một trong các dạng đó.",
            field="file",
        )
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"Tệp «{source.name}» nặng {human_size(size)}, quá giới hạn "
            f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; hãy quét lại với độ phân giải thấp "
            "hơn hoặc chia thành nhiều tệp.",
            field="file",
        )
    if size == 0:
        raise InvalidInput(f"Tệp «{source.name}» rỗng; hãy quét lại.", field="file")
    with source.open("rb") as head:
        start = head.read(8)
    if not start.startswith(_SIGNATURES[content_type]):
        raise InvalidInput(
            f"Nội dung tệp «{source.name}» không phải {source.suffix.lstrip('.').upper()} "
            "(tệp hỏng hoặc đặt sai đuôi); hãy quét lại.",
            field="file",
        )
    return content_type


def _copy_with_digest(source: Path, target: Path) -> tuple[int, str]:
    """Copy through a temporary name, flushed to disk, then renamed; (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    partial = target.with_name(target.name + ".part")
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            for block in iter(lambda: reader.read(_BLOCK), b""):
                digest.update(block)
                writer.write(block)
                size += len(block)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def add_attachment(
    ctx: Context,
    code: str,
    source: Path,
    *,
    clerk: str | None = None,
    document_position: int | None = None,
) -> dict[str, Any]:
    """Copy the file into the data folder, then record it and its outbox row in one
    transaction (a crash in between leaves an unreferenced file, never a dangling row)."""
    from counter_app.sync.protocol import KIND_ATTACHMENT

    source = Path(source)
    content_type = check_scan_file(source)
    with ctx.db.read() as session:
        dossier = load_dossier(session, code)
        _check_document(dossier, document_position)
    uuid = new_uuid()
    stored = Path(ATTACHMENTS_DIR) / uuid
    target = ctx.data_dir / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    size, digest = _copy_with_digest(source, target)
    if size > MAX_ATTACHMENT_BYTES:  # grew while being copied
        target.unlink(missing_ok=True)
        raise InvalidInput(f"Tệp «{source.name}» quá lớn.", field="file")
    now = ctx.now()
    try:
        with ctx.db.write() as session:
            dossier = load_dossier(session, code)
            same = session.scalar(
                select(Attachment.filename).where(
                    Attachment.dossier_id == dossier.id, Attachment.sha256 == digest
                )
            )
            if same is not None:
                raise InvalidInput(
                    f"Tệp này đã được đính kèm vào hồ sơ {dossier.code} (tên «{same}»).",
                    field="file",
                )
            acting = load_clerk(session, clerk)
            session.add(
                Attachment(
                    uuid=uuid,
                    dossier_id=dossier.id,
                    document_position=document_position,
                    filename=source.name[:255],
                    content_type=content_type,
                    size=size,
                    sha256=digest,
                    stored_name=stored.as_posix(),
                    created_at=now,
                )
            )
            payload = {
                "uuid": uuid,
                "dossier_uuid": dossier.uuid,
                "code": dossier.code,
                "filename": source.name[:255],
                "content_type": content_type,
                "size": size,
                "sha256": digest,
            }
            record(
                session,
                now,
                clerk_id=acting.id,
                action="dossier.attach",
                entity="dossier",
                entity_id=dossier.code,
                details={
                    "uuid": uuid,
                    "filename": source.name,
                    "size": size,
                    "document": document_position,
                },
                outbox=(KIND_ATTACHMENT, dossier.uuid, payload),
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return payload | {"document_position": document_position, "path": str(target)}


def _check_document(dossier: Dossier, position: int | None) -> None:
    if position is not None and position not in {d.position for d in dossier.documents}:
        raise InvalidInput(
            f"Hồ sơ {dossier.code} không có giấy tờ số {position}.", field="document"
        )


def attachments_of(session: Session, dossier: Dossier, data_dir: Path) -> list[dict[str, Any]]:
    """A dossier's scans, oldest first, as the window and `show --json` present them."""
    names = {d.position: d.name for d in dossier.documents}
    rows = session.scalars(
        select(Attachment).where(Attachment.dossier_id == dossier.id).order_by(Attachment.id)
    ).all()
    return [
        {
            "uuid": a.uuid,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "document_position": a.document_position,
            "document_name": names.get(a.document_position, ""),
            "attached_at": a.created_at.isoformat(),
            "uploaded": a.uploaded_at is not None,
            "path": str(data_dir / a.stored_name),
        }
        for a in rows
    ]


def list_attachments(ctx: Context, code: str) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        return attachments_of(session, load_dossier(session, code), ctx.data_dir)


def scan_folder_files(folder: Path | str, limit: int = 30) -> list[dict[str, Any]]:
    """The newest PDF/JPG/PNG files of the scanner's folder (not its sub-folders)."""
    folder = Path(folder)
    if not str(folder).strip() or not folder.is_dir():
        raise InvalidInput(
            f"Không mở được thư mục máy quét «{folder}»; kiểm tra ổ mạng hoặc chọn lại thư mục "
            "trong Cài đặt.",
            field="scan_folder",
        )
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if Path(entry.name).suffix.lower() not in CONTENT_TYPES or entry.name.startswith("."):
                continue
            try:
                if not entry.is_file():
                    continue
                stat = entry.stat()
            except OSError:
                continue  # removed while listing
            found.append(
                {
                    "path": entry.path,
                    "filename": entry.name,
                    "size": stat.st_size,
                    "modified_at": datetime.fromtimestamp(stat.st_mtime).astimezone(),
                }
            )
    found.sort(key=lambda f: f["modified_at"], reverse=True)
    return found[:limit]
