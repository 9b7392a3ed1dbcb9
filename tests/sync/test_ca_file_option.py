"""``main.py --ca-file CA.pem`` pins the sync server's CA for every connection; a missing file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.cli import main, pin_ca_file
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.tls import CA_FILE_ENV


def test_missing_ca_file_is_refused_before_anything_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--data-dir", str(tmp_path), "--ca-file", str(tmp_path / "nope.pem")])
    assert exited.value.code == 2 and "nope.pem: no such file" in capsys.readouterr().err


def test_pinned_ca_reaches_http_and_live_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CA_FILE_ENV, raising=False)
    ca = tmp_path / "ca.pem"
    ca.write_text("pem")
    pin_ca_file(ca)
    monkeypatch.setenv(CA_FILE_ENV, str(ca.resolve()))  # undone after the test
    http, live = SyncHttp("https://sync.example.org"), LiveChannel("https://sync.example.org", lambda: None,
                                                                   lambda _c: None)
    assert http._verify == str(ca.resolve()) and live._ca_file == ca.resolve()
