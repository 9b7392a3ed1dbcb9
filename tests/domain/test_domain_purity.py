"""The domain package is imported by the server and by tests without Qt: standard library only."""

import ast
import sys
from pathlib import Path

import emsync_desktop.domain as domain

# pydantic; python-stdnum: check characters (ISO 7064, ISBT 128) as the field computes them (docs/decisions.md).
ALLOWED_THIRD_PARTY = {"pydantic", "stdnum"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_domain_modules_import_only_the_standard_library_and_the_domain() -> None:
    offenders = {}
    for path in Path(domain.__file__).parent.rglob("*.py"):  # subpackages too (edxl_have)
        foreign = {name for name in imported_roots(path)
                   if not name.startswith("emsync_desktop.domain")
                   and name.split(".")[0] not in sys.stdlib_module_names | ALLOWED_THIRD_PARTY}
        if foreign:
            offenders[path.name] = sorted(foreign)
    assert offenders == {}


def test_the_purity_check_sees_a_qt_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from PySide6.QtCore import Qt\nimport sqlalchemy\nfrom emsync_desktop.store import db\n")
    assert imported_roots(module) == {"PySide6.QtCore", "sqlalchemy", "emsync_desktop.store"}
