"""A TCP proxy on loopback that misbehaves at random, per connection (seeded):

- `latency`: every chunk, both ways, is held back 20–150 ms;
- `stall`: after a random number of bytes the connection goes silent (nothing forwarded) until
  the client gives up (its read timeout) — what a lost link looks like from a socket;
- `reset`: after a random number of bytes both sides are closed with an RST (SO_LINGER 0);
- `loss`: the connection is accepted and closed at once, before any byte reaches the server;
- `pass`: forwarded untouched.

Counts of each fault are kept in `injected`. Only 127.0.0.1, and every thread ends by itself.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter

FAULTS = ("latency", "stall", "reset", "loss")


class ChaosProxy:
    def __init__(self, upstream_port: int, *, seed: int, fault_rate: float = 0.4) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.injected: Counter = Counter()
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calm(self) -> None:
        """No more faults (the link is back)."""
        with self.lock:
            self.fault_rate = 0.0

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def _choose(self) -> tuple[str, int]:
        with self.lock:
            fault = "pass" if self.rng.random() >= self.fault_rate else self.rng.choice(FAULTS)
            self.injected[fault] += 1
            return fault, self.rng.randrange(0, 6000)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            fault, budget = self._choose()
            if fault == "loss":
                _reset(client)
                continue
            threading.Thread(target=self._serve, args=(client, fault, budget), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str, budget: int) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
        except OSError:
            _reset(client)
            return
        done = threading.Event()
        sent = [0]

        def finish(rst: bool = False) -> None:
            done.set()
            for s in (client, upstream):
                if rst:
                    _reset(s)
                else:
                    with contextlib.suppress(OSError):
                        s.close()

        def pump(source: socket.socket, target: socket.socket) -> None:
            deadline = time.monotonic() + 120  # nothing lives forever
            try:
                source.settimeout(0.5)  # (the other direction may have closed it already)
                while not done.is_set() and time.monotonic() < deadline:
                    try:
                        data = source.recv(16384)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    if fault == "latency":
                        time.sleep(random.uniform(0.02, 0.15))
                    with self.lock:
                        sent[0] += len(data)
                        over = sent[0] > budget
                    if over and fault == "reset":
                        finish(rst=True)
                        return
                    if over and fault == "stall":
                        # Silent until the client gives up and closes its side.
                        while not done.is_set() and time.monotonic() < deadline:
                            time.sleep(0.05)
                        return
                    target.sendall(data)
            except OSError:
                pass
            finish()

        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, client), daemon=True).start()


def _reset(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
