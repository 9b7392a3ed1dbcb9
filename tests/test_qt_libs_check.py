"""``make run`` checks the libraries Qt's X11 plugin needs and names the apt-get command (fake ldd)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "installers" / "check_qt_libs.py"
# What ldd says about PySide6's libqxcb.so on a stock Debian 12 desktop (abridged).
STOCK_DEBIAN_LDD = """\
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f457cbee000)
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f457cb51000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f457cb42000)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
"""
COMPLETE_LDD = "\tlibxcb-icccm.so.4 => /lib/x86_64-linux-gnu/libxcb-icccm.so.4 (0x00007f457cb42000)\n"


def run_check(tmp_path: Path, ldd_output: str, *app_args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The script with `cat` as its ldd, so the 'plugin' file's text is what ldd reports."""
    plugin = tmp_path / "libqxcb.so"
    plugin.write_text(ldd_output)
    environ = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    environ.update(EMSYNC_QT_FILES=str(plugin), EMSYNC_LDD="cat", EMSYNC_APT_CACHE="", **env)
    return subprocess.run([sys.executable, str(SCRIPT), "--", *app_args], capture_output=True, text=True,
                          env=environ, check=False)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_qt_libs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_xcb_libraries_stop_with_the_apt_get_command(tmp_path: Path) -> None:
    result = run_check(tmp_path, STOCK_DEBIAN_LDD)
    assert result.returncode == 1
    assert "apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in result.stderr
    assert "libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1\n" in result.stderr


def test_nothing_missing_passes_silently(tmp_path: Path) -> None:
    result = run_check(tmp_path, COMPLETE_LDD)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_offscreen_runs_are_not_checked(tmp_path: Path) -> None:
    result = run_check(tmp_path, STOCK_DEBIAN_LDD, QT_QPA_PLATFORM="offscreen")
    assert (result.returncode, result.stderr) == (0, "")


def test_commands_that_open_no_window_are_not_checked(tmp_path: Path) -> None:
    for app_args in (["--screenshot", "x.png"], ["--data-dir", "d", "roads", "import", "x.osm.pbf"], ["--help"]):
        assert run_check(tmp_path, STOCK_DEBIAN_LDD, *app_args).returncode == 0


def test_a_library_with_no_known_package_is_named_with_how_to_find_it(tmp_path: Path) -> None:
    result = run_check(tmp_path, "\tlibxcb-future.so.9 => not found\n")
    assert result.returncode == 1 and "libxcb-future.so.9" in result.stderr and "apt-file search" in result.stderr


def test_the_command_uses_sudo_unless_run_as_root() -> None:
    script = load_script()
    assert "  sudo apt-get install libxcb-icccm4\n" in script.advice(["libxcb-icccm.so.4"], ["libxcb-icccm4"], [],
                                                                     as_root=False)
    assert "  apt-get install libxcb-icccm4\n" in script.advice(["libxcb-icccm.so.4"], ["libxcb-icccm4"], [],
                                                                as_root=True)


def test_packages_renamed_t64_are_asked_for_by_their_new_name(tmp_path: Path) -> None:
    fake_apt_cache = tmp_path / "apt-cache"
    fake_apt_cache.write_text("#!/bin/sh\nprintf 'libglib2.0-0:\\n  Installed: (none)\\n  Candidate: (none)\\n"
                              "libglib2.0-0t64:\\n  Installed: (none)\\n  Candidate: 2.80.0-6\\n'\n")
    fake_apt_cache.chmod(0o755)
    packages, unknown = load_script().packages_for(["libglib-2.0.so.0", "libxcb-icccm.so.4"], [str(fake_apt_cache)])
    assert (packages, unknown) == (["libglib2.0-0t64", "libxcb-icccm4"], [])


def test_make_run_checks_the_libraries_before_starting_the_app() -> None:
    plan = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "installers/check_qt_libs.py" in plan
    assert plan.index("installers/check_qt_libs.py") < plan.index("main.py")
