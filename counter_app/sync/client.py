"""The counter's HTTP client for the central server (requests + urllib3's Retry).

Every request has a timeout, is retried with exponential backoff and jitter on connection
errors and on 502/503/504 (all our requests are idempotent, POST included), sends its body
gzip-compressed, and verifies TLS: against the system's CAs or the province's own CA bundle,
never switched off. Plain http is accepted only for the loopback address (tests, a demo on one
machine) or when the operator asked for it explicitly.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from counter_app import __version__
from counter_app.domain.errors import CounterError, InvalidInput
from counter_app.domain.office_time import OFFICE_TZ
from counter_app.sync import protocol as p

A = TypeVar("A", bound=p.Message)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
BACKOFF_FACTOR = 0.5  # seconds: 0.5, 1, 2 (+ up to 0.5 s jitter)
# Request bodies: gzip -9 costs ~30 ms per MB of JSON here and saves bytes on a slow line.
GZIP_LEVEL = 9


class SyncError(CounterError):
    """The sync could not complete; the message says why and what to do, in Vietnamese."""


class ServerUnreachable(SyncError):
    pass


class UpgradeRequired(SyncError):
    pass


class NotEnrolled(SyncError):
    pass


class Refused(SyncError):
    def __init__(self, message: str, status: int, error: str) -> None:
        super().__init__(message)
        self.status, self.error = status, error


def normalise_server_url(url: str, *, allow_http: bool = False) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"Địa chỉ máy chủ «{url}» không hợp lệ; cần dạng https://dongbo.tinh.gov.vn",
            field="server",
        )
    if parts.scheme == "http" and not allow_http and not _is_loopback(parts.hostname):
        raise InvalidInput(
            f"Địa chỉ máy chủ «{url}» không dùng https: dữ liệu cá nhân của người dân sẽ đi "
            "trên mạng không mã hóa. Hãy dùng địa chỉ https do tỉnh cấp.",
            field="server",
        )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_policy(total: int = 3) -> Retry:
    return Retry(
        total=total,
        connect=total,
        read=total,
        status=total,
        other=total,
        backoff_factor=BACKOFF_FACTOR,
        backoff_max=30,
        backoff_jitter=BACKOFF_FACTOR,
        status_forcelist=(502, 503, 504),
        allowed_methods=None,  # every request of the protocol is idempotent
        raise_on_status=False,
        respect_retry_after_header=True,
    )


class SyncClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        ca_bundle: str | None = None,
        allow_http: bool = False,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        retries: int = 3,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = normalise_server_url(base_url, allow_http=allow_http)
        self.token = token
        self.timeout = timeout
        self.clock = clock or (lambda: datetime.now(UTC))
        self.clock_skew: float | None = None  # server minus this PC, in seconds
        self.server_hello: p.Hello | None = None  # the last Hello: the server's limits
        self.session = requests.Session()
        # Two connections: the push keeps one batch on the line while the server stores the
        # previous one (engine.push_outbox).
        adapter = HTTPAdapter(max_retries=retry_policy(retries), pool_maxsize=2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # TLS is always verified; a province with its own CA gives its bundle.
        self.session.verify = ca_bundle or True
        self.session.headers.update(
            {
                p.HEADER_PROTOCOL: str(p.PROTOCOL_VERSION),
                p.HEADER_COUNTER_VERSION: __version__,
                "User-Agent": f"QuayMotCua/{__version__}",
                "Accept-Encoding": "gzip",
            }
        )

    def close(self) -> None:
        self.session.close()

    # -- transport ------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        answer: type[A],
        *,
        body: Any = None,
        raw: bytes | None = None,
        params: dict | None = None,
        headers: dict | None = None,
        auth: bool = True,
        on_head: Callable[[requests.Response], None] | None = None,
    ) -> A:
        sent_headers = dict(headers or {})
        data = None
        if body is not None:
            text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
            data = gzip.compress(text.encode(), compresslevel=GZIP_LEVEL)
            sent_headers["Content-Type"] = "application/json"
            sent_headers["Content-Encoding"] = "gzip"
        elif raw is not None:
            data = raw
            sent_headers["Content-Type"] = "application/octet-stream"
        if auth:
            if not self.token:
                raise NotEnrolled(
                    "Máy này chưa đăng ký với máy chủ tỉnh. Chạy «counter-app enroll --server "
                    "ĐỊA_CHỈ --code MÃ» với mã do quản trị máy chủ cấp."
                )
            sent_headers["Authorization"] = f"Bearer {self.token}"
        before = self.clock()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                data=data,
                params=params,
                headers=sent_headers,
                timeout=self.timeout,
                stream=on_head is not None,
            )
            if on_head is not None and response.status_code == 200:
                on_head(response)  # the headers are in, the body is still on its way
            content = response.content  # a cut in the middle of the body raises here
        except requests.exceptions.SSLError as error:
            raise SyncError(
                f"Không xác minh được chứng chỉ bảo mật (TLS) của máy chủ {self.base_url}: "
                f"{_short(error)}. Nếu tỉnh dùng chứng chỉ riêng, hãy khai báo tệp CA của tỉnh "
                "(counter-app enroll --ca-bundle TỆP)."
            ) from None
        except requests.exceptions.RequestException as error:
            raise ServerUnreachable(
                f"Không kết nối được máy chủ tỉnh {self.base_url} ({_short(error)}). Hồ sơ vẫn "
                "được lưu trên máy và sẽ được gửi khi có mạng."
            ) from None
        after = self.clock()
        self._note_clock(response, before, after)
        if response.status_code >= 400:
            raise self._refusal(response, content)
        try:
            return answer.model_validate_json(content)
        except ValidationError:
            # Most often an answer cut on the way (a truncated gzip stream still decodes to
            # a prefix): retried like any broken connection. A wrong address fails the same
            # way every time and ends with this message.
            raise ServerUnreachable(
                f"Câu trả lời của máy chủ {self.base_url} bị cắt ngang hoặc không đúng giao "
                "thức đồng bộ; sẽ thử lại. Nếu lỗi lặp lại, hãy kiểm tra địa chỉ máy chủ."
            ) from None

    def _note_clock(self, response: requests.Response, before: datetime, after: datetime) -> None:
        stamp = response.headers.get(p.HEADER_SERVER_TIME)
        if not stamp:
            return
        try:
            server = datetime.fromisoformat(stamp)
        except ValueError:
            return
        if server.tzinfo is None:
            return
        midpoint = before + (after - before) / 2
        self.clock_skew = (server - midpoint).total_seconds()

    def _refusal(self, response: requests.Response, content: bytes) -> SyncError:
        try:
            error = p.ErrorAnswer.model_validate_json(content)
            message, code = error.message, error.error
        except ValidationError:
            message = (
                f"Máy chủ tỉnh trả lời lỗi {response.status_code}; thử lại sau. Nếu lỗi kéo "
                "dài, hãy báo quản trị máy chủ."
            )
            code = "http_error"
        if response.status_code == 426:
            return UpgradeRequired(message)
        if response.status_code == 401:
            return NotEnrolled(message)
        if response.status_code >= 500:
            return ServerUnreachable(message)
        return Refused(message, response.status_code, code)

    # -- the protocol ---------------------------------------------------------------------

    def hello(self) -> p.Hello:
        self.server_hello = self._request("GET", f"{p.API_PREFIX}/hello", p.Hello, auth=False)
        return self.server_hello

    def enroll(self, request: p.EnrollRequest) -> p.EnrollAnswer:
        return self._request(
            "POST",
            f"{p.API_PREFIX}/enroll",
            p.EnrollAnswer,
            body=request.model_dump(mode="json"),
            auth=False,
        )

    def push(self, items: list[p.PushItem], *, compact: bool = False) -> p.PushAnswer:
        """One batch. `compact`: the answer lists only the items not plainly accepted (an
        older server answers every item, which `PushAnswer.compact` false says)."""
        hello = self.server_hello
        by_payload = hello is not None and hello.item_uuid_from_payload
        wire = []
        for i in items:
            # dossier_uuid is left out (the payload carries it), and so is the row's uuid when
            # the server takes it from payload.uuid. Office time, like the payload's times.
            item = {"kind": i.kind, "created_at": i.created_at.astimezone(OFFICE_TZ).isoformat()}
            if not (by_payload and i.payload.get("uuid") == i.uuid):
                item["uuid"] = i.uuid
            item["payload"] = i.payload
            wire.append(item)
        body: dict[str, Any] = {"items": wire}
        if compact:
            body["compact"] = True
        return self._request("POST", f"{p.API_PREFIX}/push", p.PushAnswer, body=body)

    def changes(
        self,
        after: int,
        limit: int = p.DEFAULT_PAGE_SIZE,
        on_next: Callable[[int], None] | None = None,
    ) -> p.ChangesAnswer:
        """One page. `on_next(cursor)` is called as soon as the answer's headers say that
        another page follows, before this page's body has arrived."""

        def head(response: requests.Response) -> None:
            cursor = response.headers.get(p.HEADER_NEXT_CURSOR, "")
            if on_next and response.headers.get(p.HEADER_HAS_MORE) == "1" and cursor.isdigit():
                on_next(int(cursor))

        return self._request(
            "GET",
            f"{p.API_PREFIX}/changes",
            p.ChangesAnswer,
            params={"after": after, "limit": limit},
            on_head=head if on_next else None,
        )

    def day_counts(self, since) -> p.DayCounts:
        return self._request(
            "GET", f"{p.API_PREFIX}/reconcile", p.DayCounts, params={"since": since.isoformat()}
        )

    def attachment_state(self, uuid: str) -> p.AttachmentState:
        return self._request("GET", f"{p.API_PREFIX}/attachments/{uuid}", p.AttachmentState)

    def put_chunk(self, uuid: str, offset: int, data: bytes) -> p.AttachmentState:
        import hashlib

        return self._request(
            "PUT",
            f"{p.API_PREFIX}/attachments/{uuid}",
            p.AttachmentState,
            raw=data,
            params={"offset": offset},
            headers={p.HEADER_CHUNK_SHA256: hashlib.sha256(data).hexdigest()},
        )


def _short(error: Exception) -> str:
    text = str(error)
    reason = getattr(error, "args", None)
    if reason and hasattr(reason[0], "reason"):
        text = str(reason[0].reason)
    return text if len(text) <= 160 else text[:157] + "..."
