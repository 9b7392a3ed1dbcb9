#!/usr/bin/env bash
# Cold start to the sign-in window, frozen app against the source run (docs/BENCHMARKS.md).
#   installers/linux/startup_bench.sh FROZEN_APP PYTHON [RUNS]
# needs DISPLAY (Xvfb) and xdotool. Each start: a new process on an existing data dir (made by one start
# before the runs, not timed), from the fork to the window being mapped; the window is then closed
# (WM_DELETE_WINDOW) and the process awaited. Prints each time and the medians.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
frozen=$1 python=$2 runs=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export QT_QPA_PLATFORM=xcb QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox"

start_once() {  # start_once DATA_DIR COMMAND...: seconds to a visible EMsync window
  local data=$1; shift
  local t0 t1 pid window
  t0=$(date +%s.%N)
  "$@" --data-dir "$data" --lock-minutes 0 > "$tmp/log" 2>&1 &
  pid=$!
  window=$(timeout 60 xdotool search --sync --onlyvisible --name '^EMsync' | head -1)
  t1=$(date +%s.%N)
  sleep 1
  python3 "$here/close_window.py" "$window"
  wait "$pid" || echo "  (exit code $? after closing: $*)" >&2
  echo "$t1 - $t0" | bc
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for kind in frozen source; do
  if [ "$kind" = frozen ]; then cmd=("$frozen"); else cmd=("$python" "$root/main.py"); fi
  start_once "$tmp/$kind" "${cmd[@]}" > /dev/null  # first start: keys, schema, demo data
  for _ in $(seq "$runs"); do start_once "$tmp/$kind" "${cmd[@]}"; done > "$tmp/$kind.times"
  echo "$kind: $(tr '\n' ' ' < "$tmp/$kind.times")-> median $(median < "$tmp/$kind.times") s"
done
echo "ratio frozen/source: $(echo "$(median < "$tmp/frozen.times") / $(median < "$tmp/source.times")" | bc -l | cut -c1-5)"
