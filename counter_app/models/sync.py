"""What the sync with the central server needs beyond the outbox: attachments, conflicts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from counter_app.models.base import Base, UTCDateTime, utcnow


class Attachment(Base):
    """A scanned document kept with a dossier; its bytes are a file in the data folder."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # The row of the dossier's document list (DossierDocument.position); None: the whole dossier.
    document_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_name: Mapped[str] = mapped_column(String(255))  # relative to the data folder
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class SyncConflict(Base):
    """A status change that lost to a concurrent change of the other side, or an item the
    server refused: kept and shown to the clerk, never silently dropped."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (UniqueConstraint("subject_uuid", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # superseded | held_back | code_clash
    subject_uuid: Mapped[str] = mapped_column(String(36))  # the event (or dossier) concerned
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id"), nullable=True, index=True
    )
    code: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
