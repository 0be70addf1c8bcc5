"""The audit log's hash chain: each row's digest covers its content and the previous digest.

Pure function, shared by the database hook that writes rows, `counter-app audit verify`, and
the migration that chained the rows written before the chain existed. Changing it would break
every existing chain: never change it, add a new version instead.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def row_digest(
    *,
    id: int,
    at: str,
    clerk_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    details: Any,
    prev_hash: str,
) -> str:
    """SHA-256 of the row as stored (`at` is the stored UTC text), as 64 hex digits."""
    canonical = json.dumps(
        [1, id, at, clerk_id, action, entity, entity_id, details, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
