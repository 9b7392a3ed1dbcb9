"""A server started for production refuses plain HTTP off loopback unless told otherwise, and says what
to do; on loopback (the embedded demo server, tests) plain HTTP stays allowed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sync_server.transport import choose_transport, is_loopback

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_serves_plain_http(host: str) -> None:
    transport = choose_transport(host, certfile=None, keyfile=None, insecure_http=False, demo=False)
    assert is_loopback(host) and transport.refusal is None and not transport.tls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "emsync.example.org"])
def test_production_host_without_tls_is_refused_with_what_to_do(host: str) -> None:
    refusal = choose_transport(host, certfile=None, keyfile=None, insecure_http=False, demo=False).refusal
    assert refusal is not None and "--certfile" in refusal and "--insecure-http" in refusal


def test_insecure_http_is_allowed_when_asked_and_said_loudly() -> None:
    transport = choose_transport("0.0.0.0", certfile=None, keyfile=None, insecure_http=True, demo=False)
    assert transport.refusal is None and transport.warning is not None and "PLAIN HTTP" in transport.warning


def test_tls_needs_existing_files(tmp_path: Path) -> None:
    transport = choose_transport("0.0.0.0", certfile=tmp_path / "cert.pem", keyfile=tmp_path / "key.pem",
                                 insecure_http=False, demo=False)
    assert transport.refusal is not None and "cert.pem" in transport.refusal


def test_server_command_refuses_plain_http_on_all_interfaces_before_touching_data(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sync_server", "--host", "0.0.0.0", "--data-dir", str(tmp_path),
                           "--log-format", "text"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2 and "Refusing to serve plain HTTP on 0.0.0.0" in done.stderr
    assert "--certfile" in done.stderr and not (tmp_path / "server.db").exists()
