"""Compressed request bodies: the counter sends its JSON with `Content-Encoding: gzip`.

Starlette decompresses answers for nobody and requests not at all, so this small ASGI middleware
inflates a gzip request body before the application reads it, up to
`protocol.MAX_DECOMPRESSED_BYTES` (a zip-bomb guard: beyond it the request is refused with
`413 too_large` and a sentence saying so, without inflating the rest). Requests without the
header (older counters, tools) pass through untouched. Answers are compressed by Starlette's
own `GZipMiddleware` (level 6, `app.GZIP_LEVEL`) when the counter accepts gzip.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from counter_app.sync import protocol as p


class GzipRequestMiddleware:
    """Accept request bodies sent with `Content-Encoding: gzip`."""

    def __init__(
        self, app, *, limit: int = p.MAX_DECOMPRESSED_BYTES, error: Callable | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.error = error or _plain_error

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        encoding = dict(scope["headers"]).get(b"content-encoding", b"").strip().lower()
        if encoding not in (b"gzip", b"x-gzip"):
            return await self.app(scope, receive, send)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        size = 0
        more = True
        try:
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                more = message.get("more_body", False)
                # Inflate as the body arrives, never more than the limit allows.
                chunk = inflater.decompress(message.get("body", b""), self.limit - size + 1)
                size += len(chunk)
                parts.append(chunk)
                if size > self.limit or inflater.unconsumed_tail:
                    response = self.error(
                        413,
                        "too_large",
                        f"Dữ liệu gửi lên sau khi giải nén vượt quá {self.limit // (1024 * 1024)} "
                        "MiB; máy chủ từ chối. Phần mềm quầy gửi theo từng đợt nhỏ hơn: hãy "
                        "cập nhật phần mềm nếu lỗi lặp lại.",
                    )
                    return await response(scope, receive, send)
            if not inflater.eof:
                raise zlib.error("truncated gzip stream")
        except zlib.error:
            response = self.error(
                400, "bad_body", "Dữ liệu gửi lên bị hỏng (không giải nén được); sẽ gửi lại."
            )
            return await response(scope, receive, send)
        body = b"".join(parts)
        scope = dict(scope)
        scope["headers"] = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ] + [(b"content-length", str(len(body)).encode())]
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


def _plain_error(status: int, error: str, message: str):
    from starlette.responses import JSONResponse

    return JSONResponse({"error": error, "message": message}, status_code=status)
