#!/usr/bin/env bash
# make dist-test: try the built .deb as a user gets it. Unpacks it (dpkg-deb -x) into a temporary folder
# and, under Xvfb (a real X server), runs the FROZEN app from it: --version; a screenshot of every role
# (the paramedic's triage, map and an ID card read, the nurse's chest X-ray analysis, the coordinator's map and trends, the
# admin); an offline road import (Valhalla's tile builder inside the build); and a sign-in typed into the
# window (xdotool) against a real sync server started from the emsync-server wheel (installers/server)
# installed in a venv of its own. Every run must exit 0; screenshots and logs go to OUT.
#
#   installers/linux/dist_test.sh DICOM_FILE OSM_PBF_FILE CARD_IMAGE   (the Makefile makes them with the dev venv)
#
# Environment: DEB (default: newest dist/emsync_*.deb), OUT (dist/dist-test), PYTHON (>= 3.12, for the
# server venv), SERVER_VENV (build/dist-test/server-venv, reused between runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dicom=$(realpath "$1")
pbf=$(realpath "$2")
card=$(realpath "$3")
deb=$(realpath "${DEB:-$(ls -t "$root"/dist/emsync_*.deb | head -1)}")
out=$(mkdir -p "${OUT:-$root/dist/dist-test}" && cd "${OUT:-$root/dist/dist-test}" && pwd)
python=${PYTHON:-$("$root/installers/find_python.sh")}
server_venv=${SERVER_VENV:-$root/build/dist-test/server-venv}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
rm -rf "$out/logs" && mkdir -p "$out/logs"
started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" $((SECONDS - started)); }
fail() { echo "dist-test FAILED: $*" >&2; exit 1; }

step "Unpacking $(basename "$deb")"
dpkg-deb -x "$deb" "$tmp/root"
app=$tmp/root/opt/emsync/emsync
[ -x "$app" ] || fail "no /opt/emsync/emsync in the package"
[ "$(readlink "$tmp/root/usr/bin/emsync")" = /opt/emsync/emsync ] || fail "/usr/bin/emsync does not point to the app"
[ -f "$tmp/root/usr/share/applications/emsync.desktop" ] || fail "no desktop entry"
# The package's Depends, checked against this machine (the frozen app below loads them from here).
missing=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | while read -r group; do
  ok=""
  for alt in $(echo "$group" | sed 's/([^)]*)//g' | tr '|' ' '); do
    dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q "ok installed" && ok=1
  done
  [ -n "$ok" ] || echo "$group"
done)
[ -z "$missing" ] || fail "Depends not installed on this machine: $missing"

display=79
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
step "Xvfb on :$display"
Xvfb ":$display" -screen 0 1366x768x24 -nolisten tcp > "$out/logs/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
export DISPLAY=":$display" QT_QPA_PLATFORM=xcb
export QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox"  # root here; a user's install needs no flag

run() {  # run NAME ARGS...: the frozen app, which must exit 0; log in OUT/logs/NAME.log
  local name=$1; shift
  local t0=$SECONDS
  if ! "$app" "$@" > "$out/logs/$name.log" 2>&1; then
    tail -20 "$out/logs/$name.log" >&2
    fail "$name exited non-zero ($app $*)"
  fi
  echo "$name: exit 0 in $((SECONDS - t0)) s"
}

step "--version"
version=$("$app" --version)
echo "$version"
[[ $version == "EMsync Desktop "* ]] || fail "--version printed: $version"

step "Screenshots of every role (real X server)"
shot() { local name=$1; shift; run "$name" --data-dir "$tmp/$name" --size 1366x768 --screenshot "$out/$name.png" "$@"; }
shot paramedic-triage --role paramedic
shot paramedic-map --role paramedic --tab map
shot paramedic-card --role paramedic --card "$card"  # OCR models inside the build: fails if no field is read
shot nurse --role nurse
shot nurse-xray --role nurse --xray "$dicom"
shot nurse-roster --role nurse --tab roster  # CP-SAT inside the build: fails if no roster is built
shot coordinator --role coordinator
shot coordinator-trends --role coordinator --tab trends
shot admin --role admin

step "Offline road import with the bundled Valhalla tile builder ($(basename "$pbf"))"
run roads-import roads import "$pbf" --data-dir "$tmp/roads"
[ -s "$tmp/roads/roads/manifest.json" ] || fail "the road import wrote no manifest"
cat "$tmp/roads/roads/manifest.json"

step "Sync server from the emsync-server wheel ($server_venv)"
[ -x "$server_venv/bin/python" ] || "$python" -m venv "$server_venv"
rm -rf "$tmp/wheel"
"$server_venv/bin/python" -m pip install --quiet setuptools > "$out/logs/wheel.log" 2>&1
"$server_venv/bin/python" "$root/installers/server/build_wheel.py" --out "$tmp/wheel" >> "$out/logs/wheel.log" 2>&1 \
  || fail "could not build the server wheel (logs/wheel.log)"
wheel=$(ls "$tmp"/wheel/emsync_server-*.whl)
"$server_venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheel" > "$out/logs/server-install.log" 2>&1
"$server_venv/bin/python" -m pip install --quiet "$wheel" >> "$out/logs/server-install.log" 2>&1
server="$server_venv/bin/emsync-server"
port=$("$server_venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$tmp" && "$server" migrate --data-dir "$tmp/server") > "$out/logs/server-migrate.log" 2>&1 \
  || fail "emsync-server migrate failed (logs/server-migrate.log)"
# An account made as an administrator would, password on standard input. Run outside the checkout, so
# that the installed package is imported, not the repository.
username=devi
password=$("$server_venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))')
(cd "$tmp" && echo "$password" | "$server" --data-dir "$tmp/server" \
  --add-user "$username" --role paramedic --name "Devi Nair" --unit AMB-7) > "$out/logs/server-add-user.log" 2>&1 \
  || fail "could not add an account (logs/server-add-user.log)"
(cd "$tmp" && exec "$server" --data-dir "$tmp/server" --port "$port") \
  > "$out/logs/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
url="http://127.0.0.1:$port"
for _ in $(seq 300); do
  "$server_venv/bin/python" -c "import urllib.request; urllib.request.urlopen('$url/health', timeout=1)" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited (logs/server.log)"
  sleep 0.2
done
echo "server answers at $url ($(cd "$tmp" && "$server_venv/bin/python" -c 'import sync_server, os; print(os.path.dirname(sync_server.__file__))'))"

served() {  # served PATH: the server logged a 2xx answer on PATH
  "$server_venv/bin/python" - "$out/logs/server.log" "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("path", "").split("?")[0] == sys.argv[2] and 200 <= int(entry.get("status", 0)) < 300:
        sys.exit(0)
sys.exit(1)
PY
}
wait_for() {  # wait_for SECONDS WHAT COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq $((limit * 5))); do "$@" && return 0; sleep 0.2; done
  fail "timed out waiting for $what"
}

step "Sign-in typed into the frozen app's window, against that server"
# A device of a real service, no OS keyring here: the data key is wrapped by a passphrase the user chooses
# (asked twice) before the sign-in window; no demo passphrase file is written.
EMSYNC_KEYRING=off "$app" --data-dir "$tmp/device" --server "$url" --lock-minutes 0 > "$out/logs/sign-in.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
passphrase=$("$python" -c 'import secrets; print(secrets.token_urlsafe(12))')
for _ in 1 2; do
  dialog=$(timeout 60 xdotool search --sync --onlyvisible --name '^Protect patient data' | head -1) \
    || fail "no passphrase dialog for the new device (logs/sign-in.log)"
  xdotool windowfocus --sync "$dialog"
  xdotool type --delay 30 -- "$passphrase"  # "--": a secret may begin with "-"
  xdotool key Return
  sleep 1
done
[ ! -e "$tmp/device/DEMO-PASSPHRASE.txt" ] || fail "a device of a real server kept its passphrase on disk"
window=$(timeout 60 xdotool search --sync --onlyvisible --name '^EMsync' | head -1) || fail "no EMsync window"
sleep 2  # the window's first paint and the server check
xdotool windowfocus --sync "$window"
import -window root "$out/sign-in-form.png"
xdotool type --delay 40 -- "$username"
xdotool key Return
xdotool type --delay 40 -- "$password"  # "--": a password may begin with "-"
xdotool key Return
wait_for 30 "POST /auth/login answered 2xx" served /auth/login
wait_for 30 "the signed-in app's first pull" served /sync/pull
sleep 3
import -window root "$out/signed-in.png"
xdotool key ctrl+shift+q  # sign out: the app revokes the session on the server
wait_for 20 "POST /auth/logout" served /auth/logout
"$python" "$here/close_window.py" "$window"
for _ in $(seq 150); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$app_pid" 2>/dev/null && fail "the app did not exit after its window was closed"
wait "$app_pid" || fail "the signed-in app exited non-zero (logs/sign-in.log)"
echo "sign-in: login, first pull and logout answered by the server; the app exited 0"

step "All runs exited 0 in $((SECONDS - started)) s; screenshots in $out"
ls "$out"/*.png
