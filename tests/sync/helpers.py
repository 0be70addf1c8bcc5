"""Small helpers of the sync tests."""

import json

from server.harness import server_ok
from sqlalchemy import func, select, text

from counter_app.services.context import put_setting
from counter_app.sync import engine


def enrollment_code(server_db: str, station: int, unit: str = "000.00.12.H49") -> str:
    """A one-time code from `counter-server enroll` (its last line)."""
    out = server_ok(server_db, "enroll", "--unit-code", unit, "--station", str(station))
    return out.strip().splitlines()[-1]


def point_at(ctx, url: str) -> None:
    """Send this station's sync to another address (a proxy, a dead port)."""
    with ctx.db.write() as session:
        put_setting(session, engine.SERVER_URL, url)


def server_stats(server_db: str) -> dict:
    return json.loads(server_ok(server_db, "stats", "--json"))


def server_codes(server_db: str) -> list[str]:
    """Every dossier code the server holds (duplicates would show twice)."""
    from sqlalchemy import create_engine

    engine_ = create_engine(server_db)
    try:
        with engine_.connect() as connection:
            return [r[0] for r in connection.execute(text("SELECT code FROM dossiers"))]
    finally:
        engine_.dispose()


def outbox_counts(ctx) -> tuple[int, int, int]:
    """(acknowledged, pending, quarantined) outbox rows."""
    from counter_app.models import OutboxItem

    with ctx.db.read() as session:
        acknowledged = session.scalar(
            select(func.count()).where(OutboxItem.acknowledged_at.is_not(None))
        )
        quarantined = session.scalar(
            select(func.count()).where(OutboxItem.quarantined_reason.is_not(None))
        )
        total = session.scalar(select(func.count()).select_from(OutboxItem))
    return acknowledged, total - acknowledged - quarantined, quarantined


def local_dossier(ctx, code: str) -> dict:
    from counter_app.services.search import show_dossier

    return show_dossier(ctx, code)
