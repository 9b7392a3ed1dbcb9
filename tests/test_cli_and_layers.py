"""The command line, screenshot mode, and the layering rules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from emsync_desktop.domain.roles import Role

ROOT = Path(__file__).parents[1]


def run_main(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_help_lists_the_options() -> None:
    result = run_main("--help")
    assert result.returncode == 0
    for option in ("--data-dir", "--screenshot", "--role", "--theme"):
        assert option in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_screenshot_renders_each_role(tmp_path: Path, role: str) -> None:
    target = tmp_path / f"{role}.png"
    result = run_main("--data-dir", str(tmp_path / "d"), "--screenshot", str(target), "--role", role,
                      "--size", "1280x800")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 20_000  # a rendered workspace, not an empty window


def test_corrupt_database_gives_clear_message_and_exit_code(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "emsync.db").write_bytes(b"garbage" * 1000)
    result = run_main("--data-dir", str(data), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "cannot be opened" in result.stderr and "Move it aside" in result.stderr
    assert (data / "emsync.db").read_bytes() == b"garbage" * 1000


BLOCK_QT = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {'PySide6', 'shiboken6', 'qasync', 'pyqtgraph', 'sqlalchemy'}:
            raise ImportError('blocked: ' + name)
        return None
sys.meta_path.insert(0, Block())
import pkgutil, importlib, emsync_desktop.domain as d
for m in pkgutil.iter_modules(d.__path__):
    importlib.import_module('emsync_desktop.domain.' + m.name)
print('ok')
"""


def test_domain_imports_without_qt_or_sql() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


def test_start_up_loads_no_heavy_library_before_a_workspace_opens() -> None:
    heavy = ("numpy", "onnxruntime", "folium", "PySide6.QtWebEngineWidgets", "valhalla", "xgboost", "osmium")
    code = ("import sys, emsync_desktop.cli, emsync_desktop.ui.app, emsync_desktop.ui.main_window; "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[1], env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "[]"


def test_every_test_that_imports_tensorflow_runs_in_the_tensorflow_process() -> None:
    """TensorFlow beside QtWebEngine in one process aborts it at exit ('free(): invalid pointer' after a
    green run): such tests carry the ``tensorflow`` mark, which the Makefile runs in a process of their own."""
    uses_tf = re.compile(r"^\s*(import tensorflow|from tensorflow|import keras|from keras|import tf2onnx)", re.M)
    unmarked = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py")
                if uses_tf.search(path.read_text()) and "pytest.mark.tensorflow" not in path.read_text()]
    assert unmarked == []
