"""The local database: SQLAlchemy 2.0 mapped classes on SQLite, and the engine that opens it."""

from counter_app.models.base import Base
from counter_app.models.catalog import CalendarOverride, Procedure
from counter_app.models.dossier import Dossier, DossierDocument, StatusEvent
from counter_app.models.journal import AuditEntry, OutboxItem
from counter_app.models.office import Clerk, Setting, Station, Unit
from counter_app.models.sync import Attachment, SyncConflict

__all__ = [
    "Attachment",
    "AuditEntry",
    "Base",
    "CalendarOverride",
    "Clerk",
    "Dossier",
    "DossierDocument",
    "OutboxItem",
    "Procedure",
    "Setting",
    "Station",
    "StatusEvent",
    "SyncConflict",
    "Unit",
]
