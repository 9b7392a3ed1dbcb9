"""Global options go before or after a subcommand, as in every command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emsync_desktop.cli import build_parser, main

ROOT = Path(__file__).parents[1]


def test_data_dir_before_the_roads_command_is_accepted() -> None:
    args = build_parser().parse_args(["--data-dir", "/d", "roads", "import", "x.osm.pbf"])
    assert (args.command, args.data_dir, args.extract) == ("roads", Path("/d"), Path("x.osm.pbf"))


def test_data_dir_after_the_roads_command_is_accepted() -> None:
    args = build_parser().parse_args(["roads", "import", "x.osm.pbf", "--data-dir", "/d"])
    assert (args.command, args.data_dir, args.extract) == ("roads", Path("/d"), Path("x.osm.pbf"))


def test_data_dir_given_after_the_command_wins_over_one_before() -> None:
    args = build_parser().parse_args(["--data-dir", "/before", "roads", "import", "x.osm.pbf", "--data-dir", "/after"])
    assert args.data_dir == Path("/after")


def test_without_a_command_the_app_options_parse_as_before() -> None:
    args = build_parser().parse_args(["--data-dir", "/d", "--theme", "dark", "--offline"])
    assert (args.command, args.data_dir, args.theme, args.offline) == (None, Path("/d"), "dark", True)


def test_command_line_with_data_dir_first_runs_the_import(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.osm.pbf"
    result = subprocess.run([sys.executable, "main.py", "--data-dir", str(tmp_path / "d"), "roads", "import",
                             str(missing)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 1, result.stderr
    assert "Cannot read" in result.stderr and "unrecognized" not in result.stderr
    assert (tmp_path / "d").is_dir()  # the data dir given before the command is the one used


def test_server_addresses_that_are_not_urls_are_refused_before_the_app_opens(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--server", "https://a.example.org:8765,b.example.org:8765"])
    assert exited.value.code == 2 and "'b.example.org:8765' is not a server address" in capsys.readouterr().err
