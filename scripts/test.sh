#!/usr/bin/env bash
# `make test`: everything CI checks, on a fresh machine too. Installs what the tests need
# (virtual environment with dev tools), then lint, types and the whole pytest suite.
# PostgreSQL tests run when WEGWIJS_TEST_POSTGRES_URL (default 127.0.0.1:5432/test) answers and
# are skipped with the reason otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/venv.sh dev
export PATH="$PWD/.venv/bin:$PATH"

echo "== lint and types"
ruff check bot tests bench
ruff format --check bot tests bench
mypy

echo "== Rasa NLU: environment and model (for the tests marked rasa)"
# Both are cached outside the repo (~/.cache/wegwijs, or $WEGWIJS_CACHE_DIR): the environment by
# the hash of its lock file, the model by a hash of the training data and config. A cold cache
# costs ~2 min to install and ~10-15 min to train on two cores; a warm one a few seconds.
# Without network the install fails here and the rasa tests say so when they skip.
started=$SECONDS
if scripts/rasa-env.sh >/dev/null; then
  wegwijs nlu train >/dev/null
  echo "Rasa ready in $((SECONDS - started)) s"
else
  echo "Rasa environment not installed (see above); the rasa tests will skip with the reason" >&2
fi

echo "== Chromium for the browser tests (tests marked browser)"
# Debian's Chromium, driven by Playwright for Python (whose own browser download is not used).
# Installed when missing and we are root with apt; otherwise the browser tests skip and say why.
if [ -x /usr/bin/chromium ]; then
  echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  if apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; then
    echo "Chromium installed: $(/usr/bin/chromium --version 2>/dev/null)"
  else
    echo "could not install chromium with apt-get; the browser tests will skip" >&2
  fi
else
  echo "Chromium missing and cannot be installed here (needs root and apt-get);" \
    "the browser tests will skip with the reason" >&2
fi

echo "== tests"
# No `|| true` anywhere: pytest's exit code 5 (no tests collected) fails the run like any error.
pytest -q -rs "$@"

echo "== benchmark (quick: measured and printed, nothing asserted)"
# Only an exception fails here, never a slow machine; the figures are in docs/performance.md.
wegwijs bench --quick
