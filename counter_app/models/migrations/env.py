from __future__ import annotations

from alembic import context

from counter_app.models import Base

config = context.config


def include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 search index and its shadow tables are managed by hand in the migrations.
    return not (type_ == "table" and name.startswith("dossier_search"))


engine = config.attributes.get("engine")
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
