"""The HTTP floor of bench/server.py: an empty FastAPI endpoint under the same uvicorn, with
nothing of ours (no middleware, no database), to show what one request costs on this machine.

    .venv/bin/python -m uvicorn http_floor:app --app-dir bench --port 8001
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/empty")
def empty() -> dict[str, bool]:
    return {"ok": True}
