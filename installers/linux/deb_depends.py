"""The .deb's Depends, derived from the frozen build itself: what its programs and libraries link to.

Every ELF file in the one-folder build is run through ``ldd`` with the library path the PyInstaller
bootloader sets (the ``_internal`` folder), so a library the build carries resolves inside it and only
what the system must provide resolves outside; of those, the file's own NEEDED entries count (a system
library's dependencies are its package's business). Each of those is mapped to its Debian package with
``dpkg -S``; the highest glibc symbol version any file needs becomes ``libc6 (>= …)``. A library that
is neither in the build nor on this machine fails the build (it would fail on the user's machine too),
unless it belongs to a plugin the app can run without (``OPTIONAL``).

Debian 13 and Ubuntu 24.04 renamed some libraries with a ``t64`` suffix (64-bit time_t); for those the
dependency is ``name | namet64``. The list of renamed packages below comes from Debian 13's package
names. Usage: ``python installers/linux/deb_depends.py dist/emsync`` prints the Depends line.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Packages that Debian 13 / Ubuntu 24.04 ship as <name>t64.
T64_RENAMED = {
    "libasound2", "libatk-bridge2.0-0", "libatk1.0-0", "libatspi2.0-0", "libcups2", "libcurl4", "libdb5.3",
    "libgdbm-compat4", "libgdbm6", "libglib2.0-0", "libgnutls30", "libhogweed6", "libnettle8", "libpng16-16",
    "libpsl5", "libreadline8", "libssh2-1", "libssl3", "libuv1", "libxt6",
}
# Qt plugins whose missing libraries only switch off that plugin (Qt skips a plugin it cannot load).
OPTIONAL: tuple[str, ...] = ()
_RESOLVED = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)\s+\(0x[0-9a-f]+\)", re.MULTILINE)
_NEEDED = re.compile(r"^\s*NEEDED\s+(\S+)", re.MULTILINE)
_MISSING = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
_GLIBC = re.compile(rb"GLIBC_(\d+)\.(\d+)[.\d]*\x00")


def elf_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def needed(file: Path) -> set[str]:
    """The file's own DT_NEEDED entries (objdump -p)."""
    result = subprocess.run(["objdump", "-p", str(file)], capture_output=True, text=True, check=False)
    return set(_NEEDED.findall(result.stdout))


def system_libraries(folder: Path, files: list[Path]) -> tuple[set[str], dict[str, list[str]]]:
    """(paths outside the build that the files load, {missing library: [files needing it]})."""
    internal = folder / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": str(internal if internal.is_dir() else folder)}
    outside: set[str] = set()
    missing: dict[str, list[str]] = {}
    root = str(folder.resolve())
    for file in files:
        result = subprocess.run(["ldd", str(file)], capture_output=True, text=True, env=env, check=False)
        direct = needed(file)  # ldd lists the whole closure; a system library's own needs are its package's
        for name, path in _RESOLVED.findall(result.stdout):
            if name in direct and not os.path.realpath(path).startswith(root):
                outside.add(path)
        for name in _MISSING.findall(result.stdout):
            missing.setdefault(name, []).append(str(file.relative_to(folder)))
    return outside, missing


def package_of(path: str) -> str:
    """The Debian package that installed ``path`` (merged /usr: try the path as given, then resolved)."""
    for candidate in dict.fromkeys((path, os.path.realpath(path), path.replace("/lib/", "/usr/lib/", 1))):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if result.returncode == 0:
            return result.stdout.split(":", 1)[0].strip()
    raise SystemExit(f"deb_depends: no Debian package owns {path}")


def glibc_needed(files: list[Path]) -> str:
    """The newest ``GLIBC_x.y`` symbol version any file asks for (its version-needs strings)."""
    best = (2, 17)
    for file in files:
        for match in _GLIBC.finditer(file.read_bytes()):
            best = max(best, (int(match.group(1)), int(match.group(2))))
    return f"{best[0]}.{best[1]}"


def depends(folder: Path) -> list[str]:
    files = elf_files(folder)
    outside, missing = system_libraries(folder, files)
    fatal = {lib: users for lib, users in missing.items() if not all(u.endswith(OPTIONAL) for u in users)}
    if fatal:
        lines = "\n".join(f"  {lib}: needed by {', '.join(users[:3])}" for lib, users in sorted(fatal.items()))
        raise SystemExit(f"deb_depends: libraries neither in the build nor on this machine:\n{lines}")
    packages = sorted({package_of(path) for path in outside} - {"libc6"})
    entries = [f"libc6 (>= {glibc_needed(files)})"]
    entries += [f"{p} | {p}t64" if p in T64_RENAMED else p for p in packages]
    return entries


if __name__ == "__main__":
    print(", ".join(depends(Path(sys.argv[1]))))
