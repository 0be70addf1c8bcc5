"""uvicorn's HTTP protocol with TCP_NODELAY set on every accepted connection.

With `--workers N` uvicorn binds the listening socket itself and leaves its `proto` at 0; the
accepted sockets inherit it and asyncio then skips TCP_NODELAY, so on Linux every keep-alive
answer after the first waits ~40 ms for the client's delayed ACK (uvicorn issue #3149, open;
measured here: 48 ms instead of 3 ms for /api/v1/hello). One worker is not affected. Setting
the option on the connection works whatever the listener looks like.
"""

from __future__ import annotations

import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
