from __future__ import annotations

from alembic import context

from central_server.db import make_engine
from central_server.models import Base

config = context.config
engine = make_engine(config.attributes["url"])
try:
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            # Several server processes may start at once: one migrates, the others wait.
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7462001)")
            context.run_migrations()
finally:
    engine.dispose()
