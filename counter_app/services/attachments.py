"""Attachments: a scanned document kept with a dossier and uploaded to the server later."""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path
from typing import Any

from counter_app.domain.errors import InvalidInput
from counter_app.models import Attachment
from counter_app.services.context import Context, load_clerk, new_uuid, record
from counter_app.services.transitions import load_dossier
from counter_app.sync.engine import file_sha256
from counter_app.sync.protocol import KIND_ATTACHMENT, MAX_ATTACHMENT_BYTES

ATTACHMENTS_DIR = "attachments"


def add_attachment(
    ctx: Context, code: str, source: Path, *, clerk: str | None = None
) -> dict[str, Any]:
    """Copy the file into the data folder, then record it and its outbox row in one
    transaction (a crash in between leaves an unreferenced file, never a dangling row)."""
    if not source.is_file():
        raise InvalidInput(f"Không tìm thấy tệp «{source}».", field="file")
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"Tệp «{source.name}» lớn quá {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    uuid = new_uuid()
    stored = Path(ATTACHMENTS_DIR) / uuid
    target = ctx.data_dir / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    digest = file_sha256(target)
    content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    now = ctx.now()
    with ctx.db.write() as session:
        dossier = load_dossier(session, code)
        acting = load_clerk(session, clerk)
        session.add(
            Attachment(
                uuid=uuid,
                dossier_id=dossier.id,
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
            details={"uuid": uuid, "filename": source.name, "size": size},
            outbox=(KIND_ATTACHMENT, dossier.uuid, payload),
        )
        return payload
