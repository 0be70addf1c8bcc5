"""`counter-app audit verify`: check the audit log's hash chain (domain.audit_chain).

Every audit row carries the digest of its content and of the row before it, computed when the
application writes it. A row edited, inserted or deleted with another tool (sqlite3, a hex
editor) breaks the chain at that row. Not detected: cutting rows off the end of the log (the
chain has no outside anchor yet); see docs/reliability.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import text

from counter_app.domain.audit_chain import GENESIS, row_digest
from counter_app.services.context import Context


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken_id: int | None = None
    broken_at: str = ""
    broken_action: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def message_vi(self) -> str:
        if self.ok:
            return f"Nhật ký thao tác nguyên vẹn ({self.rows} dòng)."
        return (
            f"Nhật ký thao tác đã bị sửa ngoài phần mềm: dòng số {self.broken_id} "
            f"({self.broken_action}, lúc {self.broken_at}) {self.reason}. Các dòng từ dòng này "
            "trở đi không còn đáng tin; hãy báo lãnh đạo bộ phận và giữ nguyên tệp dữ liệu."
        )


def verify_chain(ctx: Context) -> ChainCheck:
    """Walk the chain from the first row; stop at the first row that does not match."""
    prev, count = GENESIS, 0
    with ctx.db.read() as session:
        rows = session.execute(
            text(
                "SELECT id, at, clerk_id, action, entity, entity_id, details, prev_hash, "
                "row_hash FROM audit_log ORDER BY id"
            )
        )
        for id_, at, clerk_id, action, entity, entity_id, details, prev_hash, row_hash in rows:
            count += 1
            if prev_hash != prev:
                reason = (
                    "không nối tiếp dòng trước (có dòng bị xóa hoặc chèn thêm)"
                    if prev_hash
                    else "không có mã băm (được chèn thêm ngoài phần mềm)"
                )
                return ChainCheck(count, id_, at, action, reason)
            try:
                parsed = json.loads(details) if details is not None else None
            except ValueError:
                return ChainCheck(count, id_, at, action, "có nội dung chi tiết hỏng")
            digest = row_digest(
                id=id_,
                at=at,
                clerk_id=clerk_id,
                action=action,
                entity=entity,
                entity_id=entity_id,
                details=parsed,
                prev_hash=prev_hash,
            )
            if digest != row_hash:
                return ChainCheck(count, id_, at, action, "có nội dung khác với lúc được ghi")
            prev = row_hash
    return ChainCheck(count)
