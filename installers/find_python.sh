#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter: first on PATH, then among pyenv's
# installed versions. Exit 1 with a message saying what to install when none is found.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.12 python3.13 python3 python; do
    path=$(command -v "$name" 2>/dev/null) || continue
    if ok "$path"; then
        "$path" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
    if ok "$path"; then echo "$path"; exit 0; fi
done
echo "No Python 3.12 or newer found on PATH or in $root/versions." >&2
echo "Install one (e.g. 'pyenv install 3.12' or your OS package python3.12) and run make again." >&2
exit 1
