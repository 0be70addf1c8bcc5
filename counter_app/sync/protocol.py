"""Sync protocol v1: every message the counter and the central server exchange.

Both sides import this module, so they cannot drift; the server's OpenAPI document is generated
from these classes. Readers are tolerant (unknown fields are ignored) so that a newer server can
add a field without breaking an older counter; removing or changing a field is a new protocol
version. The guarantees and failure cases are written in docs/sync-protocol.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from counter_app.domain.catalog import PROCEDURE_NAME_MAX_LENGTH

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"

# Request headers sent by the counter, response header sent by the server on every answer.
HEADER_PROTOCOL = "X-Protocol-Version"
HEADER_COUNTER_VERSION = "X-Counter-Version"
HEADER_SERVER_TIME = "X-Server-Time"
HEADER_CHUNK_SHA256 = "X-Chunk-SHA256"
# Sent with a page of changes, before its body: the counter asks for the next page while this
# one is still on the line (a server that does not send them is asked page after page).
HEADER_NEXT_CURSOR = "X-Next-Cursor"
HEADER_HAS_MORE = "X-Has-More"

MAX_PUSH_ITEMS = 2000  # what this server accepts in one push (announced in Hello)
DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000  # a counter catching up after a long offline spell takes big pages
# What a server that announces no limits in Hello accepts (v1 as first published).
V1_MAX_PUSH_ITEMS = 200
V1_MAX_PAGE_SIZE = 500
# A request body may not inflate beyond this (zip-bomb guard): 413 too_large.
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_CHUNK_BYTES = 4 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
# Appointments are computed from the counter's clock: warn the clerk beyond this difference.
CLOCK_SKEW_WARNING_SECONDS = 120

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"

# Outbox item kinds (what a counter pushes).
KIND_DOSSIER_RECEIVED = "dossier.received"
KIND_STATUS_CHANGED = "dossier.status_changed"
KIND_RATED = "dossier.rated"
KIND_ATTACHMENT = "attachment.added"
PushKind = Literal[
    "dossier.received", "dossier.status_changed", "dossier.rated", "attachment.added"
]

# Change kinds (what a counter pulls).
CHANGE_DOSSIER = "dossier.received"
CHANGE_EVENT = "dossier.event"
CHANGE_PROCEDURE = "catalog.procedure"
CHANGE_CALENDAR = "calendar.overrides"
CHANGE_CLERK = "clerk.account"
ChangeKind = Literal[
    "dossier.received", "dossier.event", "catalog.procedure", "calendar.overrides", "clerk.account"
]

Uuid = str  # kept as text: SQLite and the outbox store it so
UuidField = Field(pattern=UUID_PATTERN)


class Message(BaseModel):
    """Base of every message: unknown fields are ignored (tolerant reader)."""

    model_config = ConfigDict(extra="ignore")


class Answer(Message):
    """Every answer of the server carries its clock (also in the X-Server-Time header)."""

    server_time: AwareDatetime


class ErrorAnswer(Answer):
    """A refusal. `message` is a Vietnamese sentence a clerk can act on."""

    error: str = Field(description="machine code: unauthorized, forbidden, upgrade_required, ...")
    message: str


# -- version check, enrollment --------------------------------------------------------------


class Hello(Answer):
    server_version: str
    protocol_version: int = PROTOCOL_VERSION
    min_counter_version: str
    upgrade_message: str | None = Field(
        default=None, description="set when the calling counter must upgrade first (Vietnamese)"
    )
    # Announced limits: a server that does not send them accepts the v1 defaults.
    max_push_items: int = Field(default=V1_MAX_PUSH_ITEMS, description="items per push")
    max_page_size: int = Field(default=V1_MAX_PAGE_SIZE, description="`limit` of /changes")
    item_uuid_from_payload: bool = Field(
        default=False, description="a PushItem may leave out `uuid` when it equals payload.uuid"
    )


class Health(Answer):
    status: Literal["ok"] = "ok"
    database: bool


class EnrollRequest(Message):
    code: str = Field(min_length=4, max_length=64, description="the one-time enrollment code")
    unit_code: str | None = Field(
        default=None, description="the unit the counter is already set up for, if any"
    )
    station: int | None = Field(default=None, ge=0, le=9)
    device_name: str = Field(default="", max_length=200)


class EnrollAnswer(Answer):
    token: str = Field(description="device token: send as `Authorization: Bearer <token>`")
    unit_code: str
    unit_name: str
    station: int


# -- push -----------------------------------------------------------------------------------


class PushItem(Message):
    """One outbox row. `uuid` is minted by the counter; the server stores each uuid once.

    A counter names a row after what it carries (the dossier's, event's, rating's or
    attachment's own uuid) and may leave `uuid` out when it equals `payload.uuid`, if the server
    announces `Hello.item_uuid_from_payload`: 16 random bytes less per item on the wire.
    """

    uuid: Uuid = UuidField
    kind: str = Field(description="one of " + ", ".join(PushKind.__args__))
    dossier_uuid: Uuid | None = None
    created_at: AwareDatetime
    payload: dict[str, Any] = Field(
        description="shaped by `kind`: DossierPayload, StatusChangePayload, RatingPayload or "
        "AttachmentPayload (validated per item, so one bad item never fails the batch)"
    )

    @model_validator(mode="before")
    @classmethod
    def _uuid_from_payload(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("uuid") is None:
            payload = data.get("payload")
            if isinstance(payload, dict) and isinstance(payload.get("uuid"), str):
                return {**data, "uuid": payload["uuid"]}
        return data


class PushRequest(Message):
    items: list[PushItem] = Field(max_length=MAX_PUSH_ITEMS)
    compact: bool = Field(
        default=False,
        description="answer only the items that were not plainly accepted (rejected, or "
        "applied: false); an older server ignores it and answers every item",
    )


class ItemResult(Message):
    uuid: Uuid
    outcome: Literal["accepted", "rejected"]
    reason: str | None = Field(default=None, description="why it was rejected (Vietnamese)")
    applied: bool | None = Field(
        default=None,
        description="status changes: false when a concurrent change of the other side made "
        "this one no longer possible; it is kept in the history as superseded",
    )
    note: str | None = None


class PushAnswer(Answer):
    results: list[ItemResult]
    compact: bool = Field(
        default=False,
        description="true: `results` lists only the items not plainly accepted; every other "
        "item of the request was accepted",
    )


def plainly_accepted(result: ItemResult) -> bool:
    """An answer a compact push leaves out: accepted, and not superseded."""
    return result.outcome == "accepted" and result.applied is not False


# Payloads of the push items (the counter's dossier_to_dict / event_to_dict shapes).


class ProcedureRef(Message):
    code: str = Field(min_length=1, max_length=40)
    version: int
    name: str = Field(min_length=1, max_length=PROCEDURE_NAME_MAX_LENGTH)
    sector: str = ""
    agency: str = ""
    duration: dict[str, Any] = Field(default_factory=dict)


class Applicant(Message):
    kind: str = "citizen"
    full_name: str = Field(min_length=1, max_length=200)
    id_type: str = "cccd"
    id_number: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class DocumentLine(Message):
    name: str
    original: int = 0
    certified_copy: int = 0
    photocopy: int = 0
    received: bool = True


class DossierPayload(Message):
    uuid: Uuid = UuidField
    code: str = Field(min_length=10, max_length=64)
    event_uuid: Uuid = UuidField
    status: str
    received_at: AwareDatetime
    appointment_at: AwareDatetime
    station: int = Field(ge=0, le=9)
    procedure: ProcedureRef
    applicant: Applicant
    documents: list[DocumentLine] = Field(default_factory=list)
    sets: int = 1
    channel: str = "counter"
    return_method: str = "counter"
    fee: int = 0
    receiving_clerk: str = ""


class StatusChangePayload(Message):
    uuid: Uuid = UuidField
    dossier_uuid: Uuid = UuidField
    code: str
    at: AwareDatetime
    from_status: str | None
    to_status: str
    action: str
    side: Literal["counter", "agency"]
    clerk: str | None = None
    reason: str = ""
    appointment_at: AwareDatetime | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class RatingPayload(Message):
    uuid: Uuid = UuidField
    dossier_uuid: Uuid = UuidField
    level: Literal["very_satisfied", "satisfied", "dissatisfied"]
    reason: str = ""
    at: AwareDatetime
    clerk: str | None = None


class AttachmentPayload(Message):
    uuid: Uuid = UuidField
    dossier_uuid: Uuid = UuidField
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = "application/octet-stream"
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    sha256: str = Field(pattern=SHA256_PATTERN)


PAYLOADS: dict[str, type[Message]] = {
    KIND_DOSSIER_RECEIVED: DossierPayload,
    KIND_STATUS_CHANGED: StatusChangePayload,
    KIND_RATED: RatingPayload,
    KIND_ATTACHMENT: AttachmentPayload,
}


# -- pull -----------------------------------------------------------------------------------


class Change(Message):
    """One entry of the change feed; `seq` is server-assigned and increases with commit order."""

    seq: int
    kind: str = Field(description="one of " + ", ".join(ChangeKind.__args__))
    data: dict[str, Any]


class ChangesAnswer(Answer):
    changes: list[Change]
    next_cursor: int = Field(description="send as `after` next time (unchanged when empty)")
    has_more: bool


class DossierEventChange(Message):
    """A status event of one of the unit's dossiers, whoever made it, with the outcome."""

    uuid: Uuid
    dossier_uuid: Uuid
    code: str
    at: AwareDatetime
    from_status: str | None
    to_status: str
    action: str
    side: Literal["counter", "agency"]
    clerk: str | None = None
    reason: str = ""
    appointment_at: AwareDatetime | None = None
    applied: bool
    note: str | None = None
    status_after: str = Field(description="the dossier's status on the server after this event")
    appointment_after: AwareDatetime


class CatalogProcedureChange(Message):
    """One procedure in the counter's catalog file format (see `counter-app catalog import`)."""

    procedure: dict[str, Any]


class CalendarChange(Message):
    days_off: list[date] = Field(default_factory=list)
    working_days: list[date] = Field(default_factory=list)


class ClerkChange(Message):
    uuid: Uuid
    username: str
    full_name: str
    role: str = "clerk"
    active: bool = True


# -- attachments, reconciliation, public lookup ----------------------------------------------


class AttachmentState(Answer):
    uuid: Uuid
    size: int
    sha256: str
    received_bytes: int
    complete: bool


class DayCounts(Answer):
    """Dossiers the server holds per receipt day for the calling station."""

    station: int
    days: dict[date, int]


class TrackAnswer(Answer):
    """Public status lookup: no personal data at all (Decree 13/2023/NĐ-CP)."""

    code: str
    procedure_code: str
    procedure_name: str
    status: str
    status_label: str
    received_at: AwareDatetime
    appointment_at: AwareDatetime
    returned_at: AwareDatetime | None = None


def version_tuple(version: str) -> tuple[int, ...]:
    """ "0.10.2" -> (0, 10, 2); anything after a non-digit in a part is ignored."""
    parts = []
    for part in version.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        parts.append(int(digits or 0))
    return tuple(parts)


def payload_schemas() -> dict[str, dict[str, Any]]:
    """JSON schemas of the per-kind payloads and change data, for the OpenAPI document."""
    models: list[type[Message]] = [
        *PAYLOADS.values(),
        DossierEventChange,
        CatalogProcedureChange,
        CalendarChange,
        ClerkChange,
    ]
    schemas: dict[str, dict[str, Any]] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        schemas[model.__name__] = schema
    return schemas
