"""Start the real sync server (``python -m sync_server``) on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).parents[2]


def child_env() -> dict[str, str]:
    """The environment for a child process that imports this checkout (ahead of whatever PYTHONPATH had)."""
    inherited = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *([inherited] if inherited else [])])}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    ca_file: Path | None = None  # the CA of its TLS certificate (None: plain HTTP)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def credentials(self) -> dict[str, str]:
        lines = (self.data_dir / "DEMO-CREDENTIALS.txt").read_text().splitlines()
        return {u: p for u, _role, p in (ln.split("\t") for ln in lines if not ln.startswith("#"))}

    def login(self, username: str) -> str:
        password = self.credentials()[username]
        response = requests.post(f"{self.url}/auth/login", json={"username": username, "password": password},
                                 timeout=10, verify=str(self.ca_file) if self.ca_file else True)
        response.raise_for_status()
        return str(response.json()["access_token"])


@contextmanager
def running_server(data_dir: Path, db_url: str | None = None, *extra: str, port: list[int] | None = None,
                   tls: tuple[Path, Path, Path] | None = None) -> Iterator[ServerProcess]:
    """``port``: a one-item list remembered across restarts (empty = pick a free port); ``tls``: serve HTTPS
    with (certificate chain, private key, CA that issued it)."""
    if port is None:
        port = []
    if not port:
        port.append(free_port())
    port_number = port[0]
    args = [sys.executable, "-m", "sync_server", "--data-dir", str(data_dir), "--port", str(port_number), "--demo",
            *extra]
    if db_url:
        args += ["--db", db_url]
    if tls:
        args += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    log = open(data_dir.parent / f"server-{port_number}.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env=child_env())
    server = ServerProcess(f"{'https' if tls else 'http'}://127.0.0.1:{port_number}", data_dir, process,
                           tls[2] if tls else None)
    try:
        _wait_healthy(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_healthy(server: ServerProcess, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}")
        try:
            verify = str(server.ca_file) if server.ca_file else True
            if requests.get(f"{server.url}/health", timeout=1, verify=verify).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise TimeoutError("server did not become healthy")
