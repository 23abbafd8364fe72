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

echo "== tests"
# No `|| true` anywhere: pytest's exit code 5 (no tests collected) fails the run like any error.
pytest -q -rs "$@"
