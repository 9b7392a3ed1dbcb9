#!/usr/bin/env bash
# Linux packages of the one-folder build (make dist): a .deb installing to /opt/emsync, with a desktop
# entry, an icon, /usr/bin/emsync and the system libraries the build links to as Depends
# (deb_depends.py), and a .tar.gz of the same folder with its symbolic links kept.
#
#   installers/linux/build_packages.sh [BUILD_DIR [OUT_DIR]]      (defaults: dist/emsync, dist)
#
# Needs dpkg-deb, dpkg, ldd and a Python 3 ($PYTHON, default python3). DEB_MAINTAINER sets the
# Maintainer field.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/dist/emsync}" && pwd)
out=$(mkdir -p "${2:-$root/dist}" && cd "${2:-$root/dist}" && pwd)
python=${PYTHON:-python3}
maintainer=${DEB_MAINTAINER:-EMsync developers <emsync@localhost>}

version=$("$build/emsync" --version | awk '{print $NF}')
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/emsync_${version}_${arch}

mkdir -p "$pkg/DEBIAN" "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/share/applications" \
         "$pkg/usr/share/icons/hicolor/256x256/apps" "$pkg/usr/share/doc/emsync"
cp -a "$build" "$pkg/opt/emsync"
ln -s /opt/emsync/emsync "$pkg/usr/bin/emsync"
install -m 644 "$here/emsync.desktop" "$pkg/usr/share/applications/emsync.desktop"
install -m 644 "$root/resources/icons/emsync.png" "$pkg/usr/share/icons/hicolor/256x256/apps/emsync.png"
cat > "$pkg/usr/share/doc/emsync/copyright" <<TEXT
EMsync Desktop $version. The licences of the third-party components in this package (Qt, Python and the
Python packages it bundles) are in /opt/emsync/_internal/THIRD-PARTY-NOTICES.txt, generated when it was
built; the app shows them under About.
TEXT

echo "Deriving Depends from what the build links to (ldd)…"
depends=$("$python" "$here/deb_depends.py" "$build")
installed_kib=$(du -sk --apparent-size "$pkg/opt" "$pkg/usr" | awk '{s += $1} END {print s}')
cat > "$pkg/DEBIAN/control" <<TEXT
Package: emsync
Version: $version
Section: misc
Priority: optional
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_kib
Depends: $depends
Description: EMsync Desktop: offline-first emergency coordination
 Paramedics open cases, record vitals and see NEWS2 and on-device triage, choose
 a hospital and hold a bed; ward nurses run the bed board and accept transfers;
 coordinators see capacity and every open transfer. Works without a network and
 syncs exactly once when connectivity returns. Decision support, never a
 diagnosis.
TEXT

deb=$out/emsync_${version}_${arch}.deb
tarball=$out/emsync-${version}-linux-${arch}.tar.gz
dpkg-deb --root-owner-group -Zxz -z1 --threads-max="$(nproc)" --build "$pkg" "$deb"
tar -C "$(dirname "$build")" --sort=name --owner=0 --group=0 --numeric-owner -czf "$tarball" "$(basename "$build")"
echo "Depends: $depends"
ls -l "$deb" "$tarball"
