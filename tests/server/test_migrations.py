"""The server's migrations build exactly the schema its models describe, on PostgreSQL."""

from server.harness import server_ok
from sqlalchemy import create_engine


def test_migrations_match_the_models(pg):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from central_server.db import head_revision
    from central_server.models import Base

    url = pg.create_database()
    server_ok(url, "migrate")
    server_ok(url, "migrate")  # a second run is a no-op
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() == head_revision()
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_serve_refuses_an_unmigrated_database(pg):
    from server.harness import server_cli

    status, _, err = server_cli(pg.create_database(), "serve", "--port", "9")
    assert status == 1 and "counter-server migrate" in err
