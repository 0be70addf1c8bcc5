"""The shaping proxy of the link benchmark (bench/link.py): what it counts, and that a lossy
line still delivers every byte once, in order."""

import os
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from link import ShapedLink, parse_rate


def echo_server() -> tuple[socket.socket, int]:
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        sender = threading.Thread(target=conn.sendall, args=(payload,))
        sender.start()
        received = bytearray()
        while len(received) < len(payload):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
        sender.join()
    return bytes(received)


def test_lossy_line_delivers_every_byte_once_in_order_and_counts_them():
    listener, port = echo_server()
    payload = os.urandom(300_000)
    # Fast and very lossy: many lost segments, each delayed, none reordered or counted twice.
    with ShapedLink(("127.0.0.1", port), rate_bps=200e6, rtt=0.002, loss=0.3, seed=7) as link:
        assert exchange(link.port, payload) == payload
        stats = link.stats()
        assert exchange(link.port, b"x" * 10) == b"x" * 10
        after = link.reset()
        assert link.stats().up.bytes == 0
    listener.close()
    assert stats.up.bytes == stats.down.bytes == len(payload)
    assert stats.up.segments >= len(payload) // 1460
    assert stats.up.lost_segments > 0
    assert stats.up.retransmitted_bytes > 0
    assert stats.connections == 1
    assert stats.tcp_overhead() > 52 * (stats.up.segments + stats.down.segments)
    assert stats.up.busy_seconds > 0
    assert after.up.bytes == len(payload) + 10 and after.connections == 2


def test_segments_never_exceed_the_mss():
    listener, port = echo_server()
    with ShapedLink(("127.0.0.1", port), rate_bps=200e6, rtt=0.002, loss=0, mss=100) as link:
        assert exchange(link.port, b"y" * 1000) == b"y" * 1000
        stats = link.stats()
    listener.close()
    assert stats.up.segments >= 10 and stats.up.lost_segments == 0


def test_rates_are_read_as_people_write_them():
    assert parse_rate("256k") == 256_000
    assert parse_rate("2M") == 2_000_000
    assert parse_rate("64000") == 64_000
