"""THIRD-PARTY-NOTICES.txt for a frozen build: the licences of exactly the distributions it bundles.

Called from ``installers/emsync.spec`` after PyInstaller's analysis, in the build venv. A bundled file is
attributed to the installed distribution whose RECORD lists it, so a package that is installed but not
bundled (psycopg, PyInstaller's own hooks) is not listed, and one that is bundled cannot be missed.
pip-licenses (extra ``dist``) reads each distribution's licence metadata and licence and notice files.
Python itself (the interpreter and standard library are in every build) is added from its LICENSE file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from importlib.metadata import distributions
from pathlib import Path

OURS = {"emsync-desktop"}
HEADER = """Third-party software in EMsync Desktop {version}

This file was generated when this copy was built ({date}), from the Python distributions whose files the
build contains (pip-licenses {piplicenses}). Each section gives a component's licence as its authors ship
it. Qt (PySide6) is used under the LGPL v3; Qt WebEngine contains Chromium, whose own third-party licences
are listed at https://doc.qt.io/qt-6/qtwebengine-licensing.html. Libraries that wheels bundle inside a
component (e.g. pyvalhalla.libs, numpy.libs) come under that component's section.

"""


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def owners(paths: Iterable[str]) -> list[str]:
    """Names of the installed distributions that own any of ``paths`` (sorted, ours left out)."""
    index: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        for file in dist.files or ():
            index[_key(str(dist.locate_file(file)))] = name
    found = {index[k] for k in map(_key, paths) if k in index}
    return sorted(found - OURS, key=str.lower)


def _pip_licenses(names: list[str]) -> list[dict[str, str]]:
    command = [sys.executable, "-m", "piplicenses", "--format=json", "--with-urls", "--with-license-file",
               "--no-license-path", "--with-notice-file", "--from=mixed", "--packages", *names]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    rows: list[dict[str, str]] = json.loads(result.stdout)
    return rows


def _python_licence() -> str:
    for folder in (sysconfig.get_paths()["stdlib"], sys.base_prefix):
        path = Path(folder) / "LICENSE.txt"
        if path.is_file():
            return path.read_text("utf-8", errors="replace")
    return "Python Software Foundation License: https://docs.python.org/3/license.html"


def _section(title: str, body: str) -> str:
    return f"{'=' * 100}\n{title}\n{'=' * 100}\n{body.strip()}\n\n"


def render(rows: list[dict[str, str]], version: str, date: str, piplicenses: str) -> str:
    python = f"Python {sys.version.split()[0]}"
    width = max([len(r["Name"]) + len(r["Version"]) + 1 for r in rows] + [len(python)]) + 2
    lines = [f"{python:<{width}}PSF-2.0"]
    lines += [f"{r['Name'] + ' ' + r['Version']:<{width}}{r['License']}" for r in rows]
    out = [HEADER.format(version=version, date=date, piplicenses=piplicenses), "\n".join(lines), "\n\n"]
    out.append(_section(python, _python_licence()))
    for row in rows:
        text = row.get("LicenseText", "UNKNOWN")
        if text == "UNKNOWN":
            text = (f"Licence (from the package's metadata): {row['License']}\n"
                    f"No licence file is in the package; see {row['URL']}")
        notice = row.get("NoticeText", "UNKNOWN")
        if notice != "UNKNOWN":
            text += "\n\n" + notice
        out.append(_section(f"{row['Name']} {row['Version']} — {row['License']} — {row['URL']}", text))
    return "".join(out)


def write_notices(bundled_sources: Iterable[str], target: Path, version: str, date: str) -> list[str]:
    """Write the notices for the distributions owning ``bundled_sources`` into ``target``; their names."""
    from importlib.metadata import version as dist_version

    names = owners(bundled_sources)
    rows = _pip_licenses(names)
    target.write_text(render(rows, version, date, dist_version("pip-licenses")), "utf-8")
    return names
