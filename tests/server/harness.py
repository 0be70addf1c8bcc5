"""Test harness shared by tests/server and tests/sync: a throwaway PostgreSQL cluster (one per
test session), the real server under uvicorn on a loopback port, and a fault-injecting TCP proxy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests


def _pg_bin() -> Path:
    """$PG_BIN, or the newest /usr/lib/postgresql/<version>/bin (Debian's layout)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PostgresCluster:
    """initdb + pg_ctl on a temporary folder, listening on 127.0.0.1 only, fsync off (`durable`:
    PostgreSQL's defaults, fsync and synchronous_commit on, as a production server has them).
    `data_from`: a stopped cluster's data folder to start from (a copy of it), instead of initdb
    (bench/server.py keeps its seeded history so)."""

    def __init__(self, durable: bool = False, data_from: Path | None = None) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(
                f"PostgreSQL binaries not found in {PG_BIN}: run ./scripts/test (it installs "
                "the postgresql package as root) or set PG_BIN"
            )
        self.dir = Path(tempfile.mkdtemp(prefix="counter-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.durable = durable
        if data_from is not None:
            subprocess.run(["cp", "-a", str(data_from), str(self.data)], check=True)
            self.start()
            return
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self.start()

    def start(self) -> None:
        durable = self.durable
        fast = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} {'' if durable else fast}"
            f"-c max_connections=200 -c unix_socket_directories={self.dir}"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.dir / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop_clean(self) -> None:
        """Stop with a checkpoint, keeping the data folder (it can be copied, then started)."""
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


_cluster: PostgresCluster | None = None


def cluster(config) -> PostgresCluster:
    """The session's cluster, started on first use and stopped when the session ends."""
    global _cluster
    if _cluster is None:
        _cluster = PostgresCluster()
        config.add_cleanup(_stop_cluster)
    return _cluster


def _stop_cluster() -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def server_cli(url: str, *args: str) -> tuple[int, str, str]:
    """Run `counter-server` in this process; returns (status, stdout, stderr)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from central_server.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["--database", url, *args])
    return status, out.getvalue(), err.getvalue()


def server_ok(url: str, *args: str) -> str:
    status, out, err = server_cli(url, *args)
    assert status == 0, err
    return out


class ServerProcess:
    """`counter-server serve` in a subprocess on a loopback port: started, killed, restarted."""

    def __init__(
        self,
        database_url: str,
        port: int | None = None,
        env: dict | None = None,
        args: tuple[str, ...] = (),
    ):
        self.database_url = database_url
        self.args = args  # more `serve` options, e.g. ("--workers", "2")
        self.port = port or free_port()
        # Every test enrolls from 127.0.0.1: lift the per-address enrollment limit.
        self.env = {"COUNTER_SERVER_ENROLL_RATE": "10000", **(env or {})}
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="counter-server-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        environment = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central_server.cli",
                "--database",
                self.database_url,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.args,
            ],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as in a power cut or an OOM kill."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class FaultProxy:
    """A TCP proxy between the counter and the server that can cut a connection on purpose.

    `cut_response(path, after)`: the next answer to a request whose request line contains
    `path` is forwarded up to `after` bytes, then both sides are closed (the server has done
    the work, the counter never learns the answer). `cut_request(path, after)`: the request
    body is forwarded up to `after` bytes of upstream traffic on that connection, then closed.
    `on_request(path, callback)`: call `callback()` when such a request line passes.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.response_cuts: list[tuple[bytes, int]] = []
        self.request_cuts: list[tuple[bytes, int]] = []
        self.callbacks: list[tuple[bytes, object]] = []
        self.upstream_bytes = 0
        self.cuts_done = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut_response(self, path: str, after: int = 20) -> None:
        with self.lock:
            self.response_cuts.append((path.encode(), after))

    def cut_request(self, path: str, after: int) -> None:
        with self.lock:
            self.request_cuts.append((path.encode(), after))

    def on_request(self, path: str, callback) -> None:
        with self.lock:
            self.callbacks.append((path.encode(), callback))

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()
            return
        state = {"response_cut": None, "request_budget": None}
        done = threading.Event()

        def close_both() -> None:
            done.set()
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()

        def pump_up() -> None:
            try:
                while not done.is_set():
                    data = client.recv(65536)
                    if not data:
                        break
                    with self.lock:
                        for rule in list(self.callbacks):
                            if rule[0] in data[:300]:
                                self.callbacks.remove(rule)
                                threading.Thread(target=rule[1], daemon=True).start()
                        # One armed rule per request.
                        for rule in list(self.response_cuts):
                            if rule[0] in data[:300]:
                                self.response_cuts.remove(rule)
                                state["response_cut"] = rule[1]
                                break
                        for rule in list(self.request_cuts):
                            if rule[0] in data[:300]:
                                self.request_cuts.remove(rule)
                                state["request_budget"] = rule[1]
                                break
                    budget = state["request_budget"]
                    if budget is not None:
                        if len(data) >= budget:
                            upstream.sendall(data[:budget])
                            self._count(budget, cut=True)
                            close_both()
                            return
                        state["request_budget"] = budget - len(data)
                    upstream.sendall(data)
                    self._count(len(data))
            except OSError:
                pass
            close_both()

        def pump_down() -> None:
            try:
                while not done.is_set():
                    data = upstream.recv(65536)
                    if not data:
                        break
                    cut = state["response_cut"]
                    if cut is not None:
                        client.sendall(data[:cut])
                        with self.lock:
                            self.cuts_done += 1
                        close_both()
                        return
                    client.sendall(data)
            except OSError:
                pass
            close_both()

        threading.Thread(target=pump_up, daemon=True).start()
        threading.Thread(target=pump_down, daemon=True).start()

    def _count(self, n: int, cut: bool = False) -> None:
        with self.lock:
            self.upstream_bytes += n
            if cut:
                self.cuts_done += 1
