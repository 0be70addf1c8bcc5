"""The HTTP face of the central server (FastAPI). Stateless: any number of processes may serve
one PostgreSQL database behind a reverse proxy (docs/deploy-server.md)."""

from __future__ import annotations

import gzip
import html
import os
import threading
import time
from collections import deque
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from central_server import service
from central_server.compression import GzipRequestMiddleware
from central_server.db import ServerDatabase, database_url
from central_server.headers import VersionAndClockMiddleware
from central_server.models import utcnow
from counter_app import __version__
from counter_app.domain.errors import CounterError
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.sync import protocol as p

MIN_COUNTER_VERSION_ENV = "COUNTER_SERVER_MIN_COUNTER_VERSION"
RATE_LIMIT_ENV = "COUNTER_SERVER_PUBLIC_RATE"  # public requests per minute per client address
ENROLL_RATE_ENV = "COUNTER_SERVER_ENROLL_RATE"  # enrollment attempts per minute per address
# Refused device tokens (the counters' sign-in) per minute per address before 429.
AUTH_FAILURE_RATE_ENV = "COUNTER_SERVER_AUTH_FAILURE_RATE"
# Browser origins allowed to read the public status lookup (comma-separated; default none).
CORS_ORIGINS_ENV = "COUNTER_SERVER_CORS_ORIGINS"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# The public HTML page: no scripts, no frames, inline style only.
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# Answers of 512 bytes and more are gzipped when the client accepts it (the counters do). Level 6,
# not 9: on a pull page (~900 KiB of JSON) 9 cost about as much CPU as the rest of the page for
# ~2 % fewer bytes (bench/sync_link.py checks the bytes on the commune line against gzip -9).
GZIP_LEVEL = 6
PUBLIC_PATHS = (f"{p.API_PREFIX}/health", f"{p.API_PREFIX}/track/", "/track/", "/docs", "/openapi")


def _error(status: int, error: str, message: str, headers: dict | None = None) -> JSONResponse:
    body = p.ErrorAnswer(server_time=utcnow(), error=error, message=message)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def upgrade_message(counter_version: str | None, protocol: str | None, minimum: str) -> str | None:
    """Vietnamese words for a counter that must be upgraded first, or None."""
    if protocol is not None and protocol.strip() != str(p.PROTOCOL_VERSION):
        return (
            f"Phần mềm quầy dùng giao thức đồng bộ phiên bản {protocol}, máy chủ tỉnh dùng "
            f"phiên bản {p.PROTOCOL_VERSION}. Hãy cài phiên bản mới của phần mềm Quầy Một Cửa "
            "rồi đồng bộ lại; hồ sơ trên máy vẫn được giữ nguyên."
        )
    if counter_version and p.version_tuple(counter_version) < p.version_tuple(minimum):
        return (
            f"Phần mềm Quầy Một Cửa trên máy này (phiên bản {counter_version}) đã cũ; máy chủ "
            f"tỉnh cần phiên bản {minimum} trở lên. Hãy nâng cấp phần mềm rồi đồng bộ lại; hồ "
            "sơ trên máy vẫn được giữ nguyên và sẽ được gửi sau khi nâng cấp."
        )
    return None


class RateLimiter:
    """A sliding window per client address, in this process (the proxy should limit too)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if len(self.hits) > 10_000:  # forget idle clients
                self.hits = {k: v for k, v in self.hits.items() if v and v[-1] > now - 60}
            window = self.hits.setdefault(key, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            return True


class FailureLimiter:
    """Counts refusals per client address over a minute; blocked at `per_minute`."""

    def __init__(self, per_minute: int) -> None:
        self.limiter = RateLimiter(per_minute)

    def blocked(self, key: str) -> bool:
        now = time.monotonic()
        with self.limiter.lock:
            window = self.limiter.hits.get(key)
            while window and window[0] <= now - 60:
                window.popleft()
            return bool(window) and len(window) >= self.limiter.per_minute

    def failed(self, key: str) -> None:
        self.limiter.allow(key)


def device(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> service.Caller:
    """The calling counter, from its `Authorization: Bearer <device token>`."""
    token = None
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    address = request.client.host if request.client else "?"
    failures: FailureLimiter = request.app.state.auth_failures
    if failures.blocked(address):
        raise service.ServiceError(
            429,
            "rate_limited",
            "Máy này gửi mã thiết bị sai quá nhiều lần; xin đợi một phút rồi thử lại. Nếu máy "
            "đã bị thu hồi, hãy xin quản trị máy chủ tỉnh một mã đăng ký mới.",
        )
    try:
        return service.authenticate(
            request.app.state.db, token, request.headers.get(p.HEADER_COUNTER_VERSION, "")
        )
    except service.ServiceError as error:
        if error.status == 401:
            failures.failed(address)
        raise


Caller = Annotated[service.Caller, Depends(device)]


def create_app(url: str | None = None) -> FastAPI:
    db = ServerDatabase(database_url(url))
    minimum = os.environ.get(MIN_COUNTER_VERSION_ENV, "0.1.0")
    public_limit = RateLimiter(int(os.environ.get(RATE_LIMIT_ENV, "60")))
    enroll_limit = RateLimiter(int(os.environ.get(ENROLL_RATE_ENV, "10")))

    app = FastAPI(
        title="Quầy Một Cửa — máy chủ đồng bộ của tỉnh",
        version=__version__,
        description="Sync protocol v1 between the one-stop counters and the province's central "
        "server. Message shapes: counter_app/sync/protocol.py; guarantees and failure cases: "
        "docs/sync-protocol.md.",
    )
    app.state.db = db
    app.state.auth_failures = FailureLimiter(int(os.environ.get(AUTH_FAILURE_RATE_ENV, "30")))

    app.add_middleware(  # central_server/headers.py (innermost: sees the router's answers)
        VersionAndClockMiddleware,
        api_prefix=p.API_PREFIX,
        public_paths=PUBLIC_PATHS,
        security_headers=SECURITY_HEADERS,
        page_csp=PAGE_CSP,
        upgrade=lambda version, protocol: upgrade_message(version, protocol, minimum),
        error=_error,
    )
    app.add_middleware(GZipMiddleware, minimum_size=512, compresslevel=GZIP_LEVEL)
    app.add_middleware(GzipRequestMiddleware, error=_error)  # central_server/compression.py
    origins = [o.strip() for o in os.environ.get(CORS_ORIGINS_ENV, "").split(",") if o.strip()]
    if origins:
        # Only reading (GET) from the listed sites (e.g. the province's portal showing the
        # public lookup); never credentials, never the Authorization header. Without the
        # setting there are no CORS headers at all: browsers keep other sites out.
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET"],
            allow_headers=[],
            allow_credentials=False,
        )

    @app.exception_handler(service.ServiceError)
    async def service_error(request: Request, error: service.ServiceError):
        return _error(error.status, error.error, error.message)

    @app.exception_handler(CounterError)
    async def counter_error(request: Request, error: CounterError):
        return _error(422, "invalid", error.message)

    @app.exception_handler(service.RetryLater)
    async def retry_later(request: Request, error: service.RetryLater):
        return _error(
            503,
            "busy",
            "Máy chủ đang ghi cùng dữ liệu này từ một yêu cầu khác; sẽ thử lại.",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, error: OperationalError):
        return _error(
            503,
            "database_unavailable",
            "Máy chủ tỉnh tạm thời không truy cập được cơ sở dữ liệu; sẽ thử lại sau.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, error: DataError):
        # A value PostgreSQL cannot hold (NUL in text, a number out of range): the request is
        # refused as a whole and nothing of it is stored (its transaction was rolled back).
        return _error(
            422,
            "invalid_value",
            "Yêu cầu có giá trị máy chủ không lưu được (ký tự NUL, mã Unicode hỏng hoặc số quá "
            "lớn); không có gì được lưu.",
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError):
        first = error.errors()[0] if error.errors() else {"loc": (), "type": "invalid"}
        where = ".".join(str(x) for x in first["loc"])
        return _error(
            422,
            "invalid_request",
            f"Yêu cầu không đúng định dạng giao thức ở «{where}» ({first['type']}).",
        )

    def client_key(request: Request) -> str:
        return request.client.host if request.client else "?"

    def public(request: Request) -> None:
        if not public_limit.allow(client_key(request)):
            raise service.ServiceError(
                429, "rate_limited", "Tra cứu quá nhiều lần; xin thử lại sau một phút."
            )

    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": p.ErrorAnswer, "description": "missing, unknown or revoked token"},
        426: {"model": p.ErrorAnswer, "description": "the counter must upgrade first"},
    }

    @app.get(f"{p.API_PREFIX}/health", response_model=p.Health, tags=["public"])
    def health() -> p.Health:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            ok = True
        except OperationalError:
            ok = False
        return p.Health(server_time=utcnow(), database=ok)

    @app.get(f"{p.API_PREFIX}/hello", response_model=p.Hello, tags=["sync"])
    def hello(request: Request) -> p.Hello:
        """Version check: `upgrade_message` is set (in Vietnamese) when the counter is too old."""
        return p.Hello(
            server_time=utcnow(),
            server_version=__version__,
            min_counter_version=minimum,
            upgrade_message=upgrade_message(
                request.headers.get(p.HEADER_COUNTER_VERSION),
                request.headers.get(p.HEADER_PROTOCOL),
                minimum,
            ),
            max_push_items=p.MAX_PUSH_ITEMS,
            max_page_size=p.MAX_PAGE_SIZE,
            item_uuid_from_payload=True,
        )

    @app.post(
        f"{p.API_PREFIX}/enroll",
        response_model=p.EnrollAnswer,
        tags=["sync"],
        responses={403: {"model": p.ErrorAnswer}, 409: {"model": p.ErrorAnswer}},
    )
    def enroll(body: p.EnrollRequest, request: Request) -> p.EnrollAnswer:
        """Exchange a one-time enrollment code for a device token bound to unit and station."""
        if not enroll_limit.allow(client_key(request)):
            raise service.ServiceError(
                429, "rate_limited", "Thử đăng ký quá nhiều lần; xin đợi một phút."
            )
        token, unit, station = service.enroll(
            db, body, request.headers.get(p.HEADER_COUNTER_VERSION, "")
        )
        return p.EnrollAnswer(
            server_time=utcnow(),
            token=token,
            unit_code=unit.code,
            unit_name=unit.name,
            station=station,
        )

    @app.post(f"{p.API_PREFIX}/push", response_model=p.PushAnswer, tags=["sync"], responses=errors)
    def push(body: p.PushRequest, caller: Caller) -> p.PushAnswer:
        """Store outbox items once each (by UUID); one answer per item, the same on retry."""
        results = service.push(db, caller, body.items)
        if body.compact:  # only what the counter must act on; the rest was accepted
            results = [r for r in results if not p.plainly_accepted(r)]
        return p.PushAnswer(server_time=utcnow(), results=results, compact=body.compact)

    @app.get(
        f"{p.API_PREFIX}/changes", response_model=p.ChangesAnswer, tags=["sync"], responses=errors
    )
    def changes(
        caller: Caller,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=p.MAX_PAGE_SIZE)] = p.DEFAULT_PAGE_SIZE,
    ) -> p.ChangesAnswer:
        """Changes for the caller's unit (and for every counter) after the cursor `after`."""
        page = service.changes_after(db, caller, after, limit)  # written as stored: no re-encoding
        return Response(
            page.answer_json(utcnow()),
            media_type="application/json",
            headers={
                p.HEADER_NEXT_CURSOR: str(page.next_cursor),
                p.HEADER_HAS_MORE: "1" if page.has_more else "0",
            },
        )

    @app.get(
        f"{p.API_PREFIX}/reconcile", response_model=p.DayCounts, tags=["sync"], responses=errors
    )
    def reconcile(caller: Caller, since: date) -> p.DayCounts:
        """Dossiers per receipt day the server holds for the calling station."""
        counts = service.day_counts(db, caller, max(since, date.today() - timedelta(days=400)))
        return p.DayCounts(server_time=utcnow(), station=caller.station, days=counts)

    @app.get(
        f"{p.API_PREFIX}/attachments/{{uuid}}",
        response_model=p.AttachmentState,
        tags=["attachments"],
        responses=errors,
    )
    def attachment(uuid: str, caller: Caller) -> p.AttachmentState:
        """Where an upload stands: resume from `received_bytes`."""
        return service.attachment_state(db, caller, uuid)

    @app.put(
        f"{p.API_PREFIX}/attachments/{{uuid}}",
        response_model=p.AttachmentState,
        tags=["attachments"],
        responses=errors,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        },
    )
    async def upload_chunk(
        uuid: str,
        request: Request,
        caller: Caller,
        offset: Annotated[int, Query(ge=0)],
        chunk_sha256: Annotated[str, Header(alias=p.HEADER_CHUNK_SHA256)],
    ) -> p.AttachmentState:
        """Append a chunk (at most 4 MiB) at `offset`; checked by its SHA-256, and the whole
        file by the SHA-256 declared in its metadata."""
        data = await request.body()
        if len(data) > p.MAX_CHUNK_BYTES:
            raise service.ServiceError(413, "too_large", "Đoạn tệp quá lớn (tối đa 4 MiB).")
        return await run_in_threadpool(
            service.put_chunk, db, caller, uuid, offset, data, chunk_sha256
        )

    @app.get(
        f"{p.API_PREFIX}/track/{{code}}",
        response_model=p.TrackAnswer,
        tags=["public"],
        responses={404: {"model": p.ErrorAnswer}, 429: {"model": p.ErrorAnswer}},
    )
    def track_json(code: str, request: Request) -> Response:
        """Public status lookup (receipt QR code). No personal data at all."""
        public(request)
        found = service.track(db, code)
        if found is None:
            raise service.ServiceError(404, "not_found", _NOT_FOUND)
        # Serialised once, by the model that made it (response_model would validate it again).
        return Response(found.model_dump_json(), media_type="application/json")

    @app.get("/track/{code}", response_class=HTMLResponse, tags=["public"])
    def track_page(code: str, request: Request) -> HTMLResponse:
        if not public_limit.allow(client_key(request)):
            return HTMLResponse(
                _page("Tra cứu quá nhiều lần", "<p>Xin thử lại sau một phút.</p>"), status_code=429
            )
        found = service.track(db, code)
        if found is None:
            return HTMLResponse(
                _page("Không tìm thấy hồ sơ", f"<p>{html.escape(_NOT_FOUND)}</p>"),
                status_code=404,
            )
        return HTMLResponse(_page(f"Hồ sơ {found.code}", _track_body(found)))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(
                p.payload_schemas()
            )
            schema["info"]["x-protocol-version"] = p.PROTOCOL_VERSION
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


_NOT_FOUND = (
    "Không tìm thấy hồ sơ với mã này. Hãy kiểm tra mã trên giấy tiếp nhận; hồ sơ vừa nộp ở "
    "xã có thể cần ít phút để được gửi lên tỉnh."
)


def _when(moment) -> str:
    local = moment.astimezone(OFFICE_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _track_body(found: p.TrackAnswer) -> str:
    rows = [
        ("Mã hồ sơ", found.code),
        ("Thủ tục", found.procedure_name),
        ("Trạng thái", found.status_label),
        ("Tiếp nhận lúc", _when(found.received_at)),
        ("Hẹn trả kết quả", _when(found.appointment_at)),
    ]
    if found.returned_at:
        rows.append(("Đã trả kết quả lúc", _when(found.returned_at)))
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;"
        "max-width:40em;margin:1em auto;padding:0 1em}th{text-align:left;padding-right:1em;"
        "vertical-align:top}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}"
        "<p><small>Trang tra cứu không hiển thị thông tin cá nhân của người nộp hồ sơ.</small>"
        "</p></body></html>"
    )


def gzip_body(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6)
