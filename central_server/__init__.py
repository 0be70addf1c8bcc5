"""The province's central sync server (FastAPI + PostgreSQL): built by the sync issue."""
