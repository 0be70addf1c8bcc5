"""The newest Alembic revision of the local database (models/migrations).

Checked against the migrations by a test, so that start-up can tell "schema is current"
without importing Alembic (about 0.3 s), and without SQLAlchemy at all (ui.launch reads the
revision with sqlite3 before the first screen is drawn). `models.database.SCHEMA_HEAD` is this.
"""

SCHEMA_HEAD = "0006"
