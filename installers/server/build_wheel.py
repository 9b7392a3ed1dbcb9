"""Build the ``emsync-server`` wheel: the sync server alone, without the desktop (no Qt, no onnxruntime).

The server imports only the client's ``domain`` and wire protocol (``sync.protocol``, ``sync.protocol_blood``,
``sync.protocol_tasks``, ``sync.wire``; an import contract in pyproject.toml), so the wheel holds ``sync_server``,
those and the package ``__init__`` files. Its
dependencies are not written twice: they are the main pyproject's ``server`` extra plus the core
dependencies the server imports (``SERVER_CORE_DEPENDENCIES``), with the main pyproject's version bounds.

    python installers/server/build_wheel.py [--out dist]     ->  dist/emsync_server-<version>-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_CORE_DEPENDENCIES = ("SQLAlchemy", "alembic", "pycryptodome", "platformdirs", "argon2-cffi", "pydantic",
                            "python-stdnum",  # the domain's check characters (ISBT 128)
                            "numpy")  # forecasting's arrays and the demo's synthetic history
"""Of the app's core dependencies, the ones the server imports (checked by tests/test_server_wheel.py)."""
STAGED = ("sync_server", "emsync_desktop/__init__.py", "emsync_desktop/domain", "emsync_desktop/sync/__init__.py",
          "emsync_desktop/sync/protocol.py", "emsync_desktop/sync/protocol_blood.py",
          "emsync_desktop/sync/protocol_tasks.py", "emsync_desktop/sync/wire.py")


def server_dependencies(pyproject: dict[str, object]) -> list[str]:
    project = pyproject["project"]
    assert isinstance(project, dict)
    core = [spec for spec in project["dependencies"] if _name(spec) in SERVER_CORE_DEPENDENCIES]
    missing = set(SERVER_CORE_DEPENDENCIES) - {_name(spec) for spec in core}
    if missing:
        raise SystemExit(f"pyproject.toml lacks core dependencies the server needs: {sorted(missing)}")
    return [*core, *project["optional-dependencies"]["server"]]


def stage(target: Path) -> None:
    """Copy the server's sources into ``target`` and write its pyproject.toml there."""
    for relative in STAGED:
        source = ROOT / relative
        if source.is_dir():
            shutil.copytree(source, target / relative, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    shutil.copy2(ROOT / "resources" / "demo_network.json", target / "sync_server" / "demo_network.json")  # --demo
    (target / "README.md").write_text((ROOT / "README.md").read_text())
    (target / "pyproject.toml").write_text(_pyproject(tomllib.loads((ROOT / "pyproject.toml").read_text())))


def _pyproject(main: dict[str, object]) -> str:
    dependencies = ",\n".join(f"    {spec!r}".replace("'", '"') for spec in server_dependencies(main))
    return f'''[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "emsync-server"
description = "EMsync sync server: the authority for beds, transfers and handoffs"
readme = "README.md"
requires-python = ">=3.12"
dynamic = ["version"]
dependencies = [
{dependencies},
]

[project.scripts]
emsync-server = "sync_server.__main__:main"

[tool.setuptools.dynamic]
version = {{ attr = "emsync_desktop.__version__" }}

[tool.setuptools.packages.find]
include = ["sync_server*", "emsync_desktop", "emsync_desktop.domain*", "emsync_desktop.sync"]

[tool.setuptools.package-data]
"sync_server" = ["migrations/*.py", "migrations/versions/*.py", "migrations/*.mako", "demo_network.json"]
'''


def _name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", spec)
    assert match is not None
    return match[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as staging:
        stage(Path(staging))
        return subprocess.call([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                                "--quiet", "--wheel-dir", str(args.out.resolve()), staging])


if __name__ == "__main__":
    sys.exit(main())
