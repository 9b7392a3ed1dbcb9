"""Before ``make run`` opens a window: are the system libraries Qt's X11 (xcb) plugin needs installed?

The PySide6 wheel brings Qt but not the X11 libraries its xcb platform plugin links to. On a stock
Debian 12 or Ubuntu desktop some are missing (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1), and Qt
then aborts with "Could not load the Qt platform plugin "xcb"" and a hint that names no package. This
runs ``ldd`` on the plugin (and the other Qt files a window needs), and when a library is not found
prints the ``apt-get install`` command that provides it and exits 1.

Usage: ``python installers/check_qt_libs.py [-- APP_ARGS...]``; only the standard library is used.
Skipped (exit 0) when no window is opened: ``QT_QPA_PLATFORM`` names no xcb (e.g. ``offscreen``), the
app arguments ask for a screenshot, a road import, help or the version, or this is not Linux.
Environment for tests: ``EMSYNC_QT_FILES`` (files to check, ``:``-separated), ``EMSYNC_LDD`` (the ``ldd``
command), ``EMSYNC_APT_CACHE`` (the ``apt-cache`` command, for ``policy``; empty: no look-up).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

# Library file → Debian/Ubuntu package, for what Qt's xcb plugin, its GL integrations and QtWebEngine
# link to (from ldd on PySide6 6.x); names checked against Debian 12.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0", "libxcb-dri3.so.0": "libxcb-dri3-0", "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6", "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6", "libxkbcommon.so.0": "libxkbcommon0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libGLX.so.0": "libglx0", "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0", "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0", "libdbus-1.so.3": "libdbus-1-3",
    "libnss3.so": "libnss3", "libnssutil3.so": "libnss3", "libsmime3.so": "libnss3", "libnspr4.so": "libnspr4",
    "libplc4.so": "libnspr4", "libplds4.so": "libnspr4", "libasound.so.2": "libasound2",
    "libXcomposite.so.1": "libxcomposite1", "libXdamage.so.1": "libxdamage1", "libXrandr.so.2": "libxrandr2",
    "libXfixes.so.3": "libxfixes3", "libXext.so.6": "libxext6", "libXtst.so.6": "libxtst6",
    "libXrender.so.1": "libxrender1", "libXi.so.6": "libxi6", "libxkbfile.so.1": "libxkbfile1",
    "libxshmfence.so.1": "libxshmfence1", "libgbm.so.1": "libgbm1", "libdrm.so.2": "libdrm2",
    "libexpat.so.1": "libexpat1", "libz.so.1": "zlib1g", "libpng16.so.16": "libpng16-16",
}
# Files under PySide6/Qt that a window with the map needs; missing ones (another wheel layout) are skipped.
QT_FILES = ("plugins/platforms/libqxcb.so", "plugins/xcbglintegrations/libqxcb-glx-integration.so",
            "lib/libQt6WebEngineCore.so.6")
NO_WINDOW_ARGS = ("--screenshot", "roads", "-h", "--help", "--version")
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def opens_window(app_args: list[str], environ: dict[str, str]) -> bool:
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform and "xcb" not in platform:
        return False
    return not any(arg.split("=", 1)[0] in NO_WINDOW_ARGS for arg in app_args)


def qt_files(environ: dict[str, str]) -> list[Path]:
    if environ.get("EMSYNC_QT_FILES"):
        return [Path(p) for p in environ["EMSYNC_QT_FILES"].split(":")]
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return [qt / name for name in QT_FILES if (qt / name).exists()]


def missing_libraries(files: list[Path], ldd: list[str]) -> list[str]:
    """Library names ``ldd`` reports as not found for any of ``files``, in first-seen order."""
    missing: dict[str, None] = {}
    for file in files:
        result = subprocess.run([*ldd, str(file)], capture_output=True, text=True, check=False)
        missing.update(dict.fromkeys(_NOT_FOUND.findall(result.stdout)))
    return list(missing)


def packages_for(libraries: list[str], apt_cache: list[str]) -> tuple[list[str], list[str]]:
    """(Debian packages to install, libraries with no known package)."""
    known = list(dict.fromkeys(PACKAGES[lib] for lib in libraries if lib in PACKAGES))
    unknown = [lib for lib in libraries if lib not in PACKAGES]
    installable = _installable(apt_cache, [name for pkg in known for name in (pkg, pkg + "t64")])
    return [_current_name(pkg, installable) for pkg in known], unknown


def _current_name(package: str, installable: set[str]) -> str:
    """Debian 13 and Ubuntu 24.04 renamed some libraries ``…t64`` (64-bit time); use that name where
    the package lists offer it and not the old one."""
    return package + "t64" if package not in installable and package + "t64" in installable else package


def _installable(apt_cache: list[str], packages: list[str]) -> set[str]:
    """Which of ``packages`` have an install candidate, in one ``apt-cache policy`` (about a second)."""
    if not apt_cache or not packages:
        return set()
    try:
        result = subprocess.run([*apt_cache, "policy", *packages], capture_output=True, text=True, check=False)
    except OSError:
        return set()
    found, current = set(), ""
    for line in result.stdout.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = line[:-1].split(":")[0]  # "pkg:" (an arch-qualified name: "pkg:i386:")
        elif line.strip().startswith("Candidate:") and line.split(":", 1)[1].strip() != "(none)":
            found.add(current)
    return found


def advice(libraries: list[str], packages: list[str], unknown: list[str], as_root: bool) -> str:
    lines = ["Qt cannot open a window: these system libraries are missing:", "  " + " ".join(libraries)]
    if packages:
        sudo = "" if as_root else "sudo "
        lines += ["Install them (Debian, Ubuntu) with:", f"  {sudo}apt-get install {' '.join(packages)}"]
    if unknown:
        lines.append(f"No package known for {', '.join(unknown)}: `apt-file search NAME` finds the one to install.")
    lines.append("Then run `make run` again (or start without a window: QT_QPA_PLATFORM=offscreen).")
    return "\n".join(lines)


def main(app_args: list[str]) -> int:
    environ = dict(os.environ)
    if sys.platform != "linux" or not opens_window(app_args, environ):
        return 0
    ldd = shlex.split(environ.get("EMSYNC_LDD", "ldd"))
    if not ldd or shutil.which(ldd[0]) is None:
        print("check_qt_libs: no ldd here, so Qt's libraries were not checked.", file=sys.stderr)
        return 0
    libraries = missing_libraries(qt_files(environ), ldd)
    if not libraries:
        return 0
    apt_cache = shlex.split(environ.get("EMSYNC_APT_CACHE", "apt-cache" if shutil.which("apt-cache") else ""))
    packages, unknown = packages_for(libraries, apt_cache)
    print(advice(libraries, packages, unknown, as_root=os.geteuid() == 0), file=sys.stderr)
    return 1


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[1:] if args[:1] == ["--"] else args))
