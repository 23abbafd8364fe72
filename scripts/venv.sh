#!/usr/bin/env bash
# Creates or refreshes .venv with Wegwijs installed (extras as $1, e.g. "dev"); prints nothing
# when it is already up to date. Re-installs when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
  done
fi
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Wegwijs needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
stamp=".venv/.installed-${extras:-base}"
want="$(sha256sum pyproject.toml | cut -c1-16)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
echo "Installing Wegwijs into .venv (first time takes about a minute) ..." >&2
.venv/bin/python -m pip install --quiet --upgrade pip
if [ -n "$extras" ]; then
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
echo "$want" > "$stamp"
