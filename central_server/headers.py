"""Version gate and answer headers as a plain ASGI middleware.

Every answer carries the server's clock (`X-Server-Time`, the counters correct their clock
skew with it) and the security headers; the public HTML page also its Content-Security-Policy.
A counter too old for this server gets `426 upgrade_required` on every sync call but Hello.

This was a Starlette `@app.middleware("http")` (BaseHTTPMiddleware): it ran each request in a
task group and copied every answer through an in-memory stream, about as much CPU per request
as uvicorn and FastAPI together. Here the start of the answer is edited on its way out and the
body passes untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from central_server.models import utcnow
from counter_app.sync import protocol as p

SERVER_TIME = p.HEADER_SERVER_TIME.lower().encode("latin-1")
CSP = b"content-security-policy"


class VersionAndClockMiddleware:
    """`upgrade` gives the Vietnamese upgrade message for (counter version, protocol) or None;
    `error(status, error, message)` builds the JSON error answer."""

    def __init__(
        self,
        app,
        *,
        api_prefix: str,
        public_paths: tuple[str, ...],
        security_headers: dict[str, str],
        page_csp: str,
        upgrade: Callable[[str | None, str | None], str | None],
        error: Callable,
    ) -> None:
        self.app = app
        self.api_prefix = api_prefix
        self.public_paths = public_paths
        self.security = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in security_headers.items()
        ]
        self.page_csp = page_csp.encode("latin-1")
        self.upgrade = upgrade
        self.error = error
        self.version_header = p.HEADER_COUNTER_VERSION.lower().encode("latin-1")
        self.protocol_header = p.HEADER_PROTOCOL.lower().encode("latin-1")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path: str = scope["path"]
        if path.startswith(self.api_prefix) and not path.startswith(self.public_paths):
            version = protocol = None
            for name, value in scope["headers"]:
                if name == self.version_header and version is None:
                    version = value.decode("latin-1")
                elif name == self.protocol_header and protocol is None:
                    protocol = value.decode("latin-1")
            message = self.upgrade(version, protocol)
            if message and not path.endswith("/hello"):
                response = self.error(426, "upgrade_required", message)
                return await response(scope, receive, self._stamped(send, page=False))
        return await self.app(scope, receive, self._stamped(send, path.startswith("/track/")))

    def _stamped(self, send, page: bool):
        async def stamped(message):
            if message["type"] == "http.response.start":
                replaced = (SERVER_TIME, CSP) if page else (SERVER_TIME,)
                headers = [(k, v) for k, v in message.get("headers", ()) if k not in replaced]
                present = {k for k, _ in headers}
                headers.append((SERVER_TIME, utcnow().isoformat().encode("latin-1")))
                headers.extend((k, v) for k, v in self.security if k not in present)
                if page:
                    headers.append((CSP, self.page_csp))
                message = {**message, "headers": headers}
            await send(message)

        return stamped
