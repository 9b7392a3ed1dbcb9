"""The emsync-server wheel holds every module the server imports and declares every library it imports."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "installers" / "server"))
import build_wheel  # noqa: E402


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("server-wheel")
    build_wheel.stage(target)
    return target


def _imports(root: Path) -> set[str]:
    names: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return names


def test_every_module_of_ours_the_server_imports_is_in_the_wheel(staged: Path) -> None:
    ours = {name for name in _imports(staged) if name.split(".")[0] in ("emsync_desktop", "sync_server")}
    missing = [name for name in ours if not (staged / (name.replace(".", "/") + ".py")).exists()
               and not (staged / name.replace(".", "/") / "__init__.py").exists()]
    assert missing == []


def test_every_library_the_server_imports_is_a_declared_dependency(staged: Path) -> None:
    third_party = {name.split(".")[0] for name in _imports(staged)} - set(sys.stdlib_module_names) - {
        "emsync_desktop", "sync_server", "__future__"}
    declared = {build_wheel._name(spec).lower() for spec in build_wheel.server_dependencies(
        tomllib.loads((ROOT / "pyproject.toml").read_text()))}
    providers = importlib.metadata.packages_distributions()
    # starlette and anyio come with fastapi, which the server is written against
    undeclared = {name for name in third_party
                  if not {d.lower() for d in providers.get(name, [])} & (declared | {"starlette", "anyio"})}
    assert undeclared == set()


def test_the_demo_network_is_in_the_wheel_for_demo(staged: Path) -> None:
    assert (staged / "sync_server" / "demo_network.json").read_bytes() == (
        ROOT / "resources" / "demo_network.json").read_bytes()


def test_every_staged_package_is_one_the_wheel_takes(staged: Path) -> None:
    """The staged files go into the wheel only if its pyproject's package list takes their package (a subpackage
    of ``domain``, e.g. ``edxl_have``, was staged but left out, and the installed server failed to start)."""
    import fnmatch
    import tomllib

    setuptools = tomllib.loads((staged / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    packages = [".".join(p.parent.relative_to(staged).parts) for p in staged.rglob("__init__.py")]
    left_out = [name for name in packages if not any(fnmatch.fnmatch(name, pattern) for pattern in include)]
    assert packages and left_out == []
