"""A commune's slow link in user space: a shaping TCP proxy (netem is not available here).

    .venv/bin/python bench/link.py --upstream 127.0.0.1:8000 --listen 8081
    .venv/bin/python bench/link.py --upstream 127.0.0.1:8000 --rate 256k --rtt 300 --loss 0.02

Used as a library by bench/sync_link.py (`ShapedLink(...).start()`, `.url`, `.reset()`,
`.stats()`, `.close()`), and by tests/sync/test_link_proxy.py.

The model, per direction (counter -> server "up", server -> counter "down"), one link shared by
every connection through the proxy, as one access line is:

- bandwidth: a FIFO serializer at `rate` bit/s: a segment of n bytes occupies the line
  n * 8 / rate seconds, after the segment before it (whichever connection it belongs to);
- delay: a segment reaches the other end `rtt / 2` seconds after it has left the line;
- loss: each connection's byte stream is cut into segments of at most `mss` (1,460) bytes,
  the payload of one Ethernet-sized TCP segment. Each is lost with probability `loss` (a seeded
  random generator). A lost segment occupies the line a second time (its retransmission; the
  second occupation is booked at once, which keeps the total but not the exact moment) and is
  delivered `rto` = max(200 ms, RTT) later than it would have been. TCP delivers in order, so
  the segments behind it on the same connection wait for it (head-of-line blocking); other
  connections do not. A retransmission is never lost again;
- handshake: a new connection's first bytes reach the server no earlier than one RTT plus the
  one-way delay after the connect (SYN, SYN-ACK, then the data), as on a real line;
- buffers: at most `buffer` bytes (64 KiB) of a connection wait to go on the line in each
  direction; beyond that the proxy stops reading that connection, so the sender feels
  backpressure as it would from a TCP window.

Counting: the bytes carried in each direction are the application's bytes (HTTP request and
status lines, headers and bodies), each counted once: "all bytes on the wire, HTTP included".
Retransmitted bytes, segments and connections are counted apart, and `tcp_overhead()` estimates
what TCP/IP adds (52 bytes of IPv4+TCP headers with timestamps per data segment, one 52-byte ACK
per two segments in the other direction, ~3 packets to open and ~4 to close a connection).

Link use "while data flows": the bytes a direction carried divided by what the line could carry
between the moment its first segment started on the line and the moment its last segment left
it (`DirectionStats.busy_seconds`), over a whole run or a window of time (`window()`).
Retransmissions occupy the line without counting as carried bytes, so with 2 % loss the best
possible figure is about 98 %.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import threading
import time
from dataclasses import dataclass, field

MSS = 1460
HEADER_BYTES = 52  # IPv4 20 + TCP 20 + timestamps option 12
OPEN_CLOSE_PACKETS = 7  # SYN, SYN-ACK, ACK; FIN, ACK, FIN, ACK


@dataclass
class DirectionStats:
    """What one direction of the line carried since the last reset (times: time.monotonic)."""

    bytes: int = 0
    segments: int = 0
    lost_segments: int = 0
    retransmitted_bytes: int = 0
    first_start: float | None = None  # the first segment started on the line
    last_end: float | None = None  # the last segment (or retransmission) left the line
    last_delivered: float | None = None  # the last byte reached the other end

    @property
    def busy_seconds(self) -> float:
        if self.first_start is None or self.last_end is None:
            return 0.0
        return max(0.0, self.last_end - self.first_start)

    def link_use(self, rate_bps: float) -> float:
        """Carried bytes / what the line could carry while this direction was busy."""
        busy = self.busy_seconds
        return self.bytes * 8 / (busy * rate_bps) if busy > 0 else 0.0


@dataclass
class LinkStats:
    up: DirectionStats = field(default_factory=DirectionStats)
    down: DirectionStats = field(default_factory=DirectionStats)
    connections: int = 0

    @property
    def total_bytes(self) -> int:
        return self.up.bytes + self.down.bytes

    def tcp_overhead(self) -> int:
        """An estimate of the TCP/IP bytes around the carried bytes (both directions)."""
        data_segments = self.up.segments + self.down.segments
        acks = (self.up.segments + 1) // 2 + (self.down.segments + 1) // 2
        return HEADER_BYTES * (data_segments + acks + OPEN_CLOSE_PACKETS * self.connections)


class _Line:
    """One direction of the line: a FIFO serializer with delay and segment loss."""

    def __init__(self, rate_bps: float, delay: float, loss: float, rto: float, rng) -> None:
        self.seconds_per_byte = 8.0 / rate_bps
        self.delay, self.loss, self.rto, self.rng = delay, loss, rto, rng
        self.free_at = 0.0
        self.stats = DirectionStats()
        self.timeline: list[tuple[float, float, int]] = []  # (start, end, bytes) per segment
        self.lock = threading.Lock()

    def send(self, size: int, now: float) -> tuple[float, float]:
        """Book a segment on the line: (when it leaves the line, when it is delivered)."""
        with self.lock:
            start = max(now, self.free_at)
            end = start + size * self.seconds_per_byte
            self.free_at = end
            delivered = end + self.delay
            s = self.stats
            if self.rng.random() < self.loss:
                self.free_at += size * self.seconds_per_byte  # the retransmission
                delivered += self.rto
                s.lost_segments += 1
                s.retransmitted_bytes += size
            s.bytes += size
            s.segments += 1
            if s.first_start is None:
                s.first_start = start
            s.last_end = self.free_at
            self.timeline.append((start, self.free_at, size))
            return end, delivered

    def window(self, since: float, until: float) -> DirectionStats:
        """What went on the line between two moments (segments that started then)."""
        with self.lock:
            picked = [t for t in self.timeline if since <= t[0] <= until]
        return DirectionStats(
            bytes=sum(t[2] for t in picked),
            segments=len(picked),
            first_start=picked[0][0] if picked else None,
            last_end=max(t[1] for t in picked) if picked else None,
        )

    def note_delivered(self, when: float) -> None:
        with self.lock:
            if self.stats.last_delivered is None or when > self.stats.last_delivered:
                self.stats.last_delivered = when

    def reset(self) -> DirectionStats:
        with self.lock:
            old, self.stats = self.stats, DirectionStats()
            self.timeline = []
            return old


class ShapedLink:
    """A TCP proxy on 127.0.0.1 shaping the traffic to `upstream` (host, port).

    Its asyncio loop runs on a daemon thread: `start()` returns when it listens.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        rate_bps: float = 256_000,
        rtt: float = 0.300,
        loss: float = 0.02,
        mss: int = MSS,
        rto: float | None = None,
        buffer: int = 64 * 1024,
        seed: int = 20261126,
        listen_port: int = 0,
    ) -> None:
        self.upstream = upstream
        self.rate_bps, self.rtt, self.loss, self.mss = rate_bps, rtt, loss, mss
        self.rto = max(0.2, rtt) if rto is None else rto
        self.buffer = buffer
        self.listen_port = listen_port
        rng = random.Random(seed)
        self.up = _Line(rate_bps, rtt / 2, loss, self.rto, rng)
        self.down = _Line(rate_bps, rtt / 2, loss, self.rto, rng)
        self.connections = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- life -----------------------------------------------------------------------------

    def start(self) -> ShapedLink:
        self._thread = threading.Thread(target=self._run, name="shaped-link", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def close(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> ShapedLink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def reset(self) -> LinkStats:
        """Start counting anew; returns what was counted so far."""
        old = LinkStats(self.up.reset(), self.down.reset(), self.connections)
        self.connections = 0
        return old

    def window(self, since: float, until: float) -> LinkStats:
        """Both directions between two `time.monotonic()` moments, e.g. one step of a sync
        (bytes, segments and busy time; losses are not split by window)."""
        return LinkStats(self.up.window(since, until), self.down.window(since, until))

    def stats(self) -> LinkStats:
        with self.up.lock, self.down.lock:
            return LinkStats(
                DirectionStats(**vars(self.up.stats)),
                DirectionStats(**vars(self.down.stats)),
                self.connections,
            )

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)
            )
        except BaseException as error:  # e.g. the port is taken: reported by start()
            self._error = error
            self._ready.set()
            return
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
            # Stopped by close(): end the connections' tasks before closing the loop.
            tasks = asyncio.all_tasks(self._loop)
            for task in tasks:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        finally:
            self._loop.close()

    # -- one connection -------------------------------------------------------------------

    async def _accept(self, client_reader, client_writer) -> None:
        # Cancelled when the proxy closes: end quietly (asyncio's stream callback would print
        # the CancelledError as an error).
        with contextlib.suppress(asyncio.CancelledError):
            await self._connection(client_reader, client_writer)

    async def _connection(self, client_reader, client_writer) -> None:
        accepted = time.monotonic()
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        handshake = accepted + self.rtt + self.rtt / 2
        done = asyncio.Event()
        await asyncio.gather(
            self._pump(client_reader, server_writer, self.up, handshake, done),
            self._pump(server_reader, client_writer, self.down, 0.0, done),
            return_exceptions=True,
        )
        for writer in (client_writer, server_writer):
            with contextlib.suppress(Exception):
                writer.close()

    async def _pump(self, reader, writer, line: _Line, not_before: float, done) -> None:
        """Read one side, book each segment on the line, deliver it in order when due."""
        queue: asyncio.Queue = asyncio.Queue()
        buffer_seconds = self.buffer * line.seconds_per_byte

        async def deliver() -> None:
            while True:
                item = await queue.get()
                if item is None:
                    break
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                line.note_delivered(due)
                await writer.drain()
            with contextlib.suppress(Exception):
                if writer.can_write_eof():
                    writer.write_eof()

        delivering = asyncio.ensure_future(deliver())
        last_due = not_before
        last_end = 0.0
        try:
            while not done.is_set():
                data = await reader.read(65536)
                if not data:
                    break
                for offset in range(0, len(data), self.mss):
                    segment = data[offset : offset + self.mss]
                    now = time.monotonic()
                    if last_end - now > buffer_seconds:  # the window is full: backpressure
                        await asyncio.sleep(last_end - now - buffer_seconds)
                        now = time.monotonic()
                    last_end, due = line.send(len(segment), now)
                    last_due = max(due, last_due)  # in order, behind a lost segment
                    queue.put_nowait((last_due, segment))
        except (ConnectionError, OSError):
            pass
        finally:
            queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await delivering
            done.set()


def parse_rate(text: str) -> float:
    """'256k' -> 256000.0 bit/s; '2M' -> 2e6; '64000' -> 64000."""
    text = text.strip().lower().removesuffix("bit/s").removesuffix("bps")
    factor = {"k": 1e3, "m": 1e6, "g": 1e9}.get(text[-1:], 1.0)
    return float(text[:-1] if factor != 1.0 else text) * factor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A shaping TCP proxy (a slow, lossy line).")
    parser.add_argument("--upstream", required=True, help="HOST:PORT to forward to")
    parser.add_argument("--listen", type=int, default=0, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--rate", default="256k", help="bit/s each direction (256k)")
    parser.add_argument("--rtt", type=float, default=300, help="round trip, ms (300)")
    parser.add_argument("--loss", type=float, default=0.02, help="segment loss (0.02)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--every", type=float, default=10, help="print counters every N s")
    args = parser.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    link = ShapedLink(
        (host or "127.0.0.1", int(port)),
        rate_bps=parse_rate(args.rate),
        rtt=args.rtt / 1000,
        loss=args.loss,
        seed=args.seed,
        listen_port=args.listen,
    ).start()
    print(
        f"listening on {link.url} -> {args.upstream}: {link.rate_bps / 1000:g} kbit/s, "
        f"RTT {args.rtt:g} ms, loss {args.loss:.1%} per {link.mss}-byte segment",
        flush=True,
    )
    try:
        while True:
            time.sleep(args.every)
            s = link.stats()
            print(
                f"up {s.up.bytes} B ({s.up.link_use(link.rate_bps):.0%} busy use), down "
                f"{s.down.bytes} B ({s.down.link_use(link.rate_bps):.0%}), {s.connections} "
                f"connections, TCP/IP ~{s.tcp_overhead()} B",
                flush=True,
            )
    except KeyboardInterrupt:
        link.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
