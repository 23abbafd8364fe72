#!/usr/bin/env bash
# Install (or reuse) the Rasa 3.6.21 environment that runs the NLU service.
#
# Rasa pins old numpy/TensorFlow/pydantic 1 and cannot share a virtual environment with the
# bot, so it lives in its own venv in a cache directory outside the repository:
#   ${WEGWIJS_CACHE_DIR:-$HOME/.cache/wegwijs}/rasa-3.6.21-<first 12 hex of sha256(lock file)>
# (override the whole path with WEGWIJS_RASA_ENV). A changed lock file gives a new directory.
# The environment is complete only when the marker file exists; it is written last, so an
# interrupted install is wiped and redone on the next run. Safe to run concurrently (flock).
#
# Progress goes to stderr; the last line of stdout is the path of the environment's python.
# Needs Python 3.11 (WEGWIJS_RASA_PYTHON, else python3.11, else python3) and PyPI.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_file="${WEGWIJS_RASA_LOCK:-$repo_root/dialogues/nlu/rasa-3.6.21-py311-lock.txt}"
[[ -f "$lock_file" ]] || { echo "rasa-env: lock file not found: $lock_file" >&2; exit 2; }

lock_hash="$(sha256sum "$lock_file" | cut -c1-12)"
cache_dir="${WEGWIJS_CACHE_DIR:-$HOME/.cache/wegwijs}"
env_dir="${WEGWIJS_RASA_ENV:-$cache_dir/rasa-3.6.21-$lock_hash}"
marker="$env_dir/.wegwijs-complete"
env_python="$env_dir/bin/python"

log() { echo "rasa-env: $*" >&2; }

if [[ -f "$marker" && -x "$env_python" ]]; then
    echo "$env_python"
    exit 0
fi

pick_python() {
    local candidate
    for candidate in ${WEGWIJS_RASA_PYTHON:-} python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

base_python="$(pick_python)" || {
    log "Python 3.11 not found (tried \$WEGWIJS_RASA_PYTHON, python3.11, python3)"
    exit 2
}

mkdir -p "$(dirname "$env_dir")"
# One installer at a time per environment; the others wait and then reuse its result.
exec 9>"$env_dir.lock"
flock 9

if [[ -f "$marker" && -x "$env_python" ]]; then
    echo "$env_python"
    exit 0
fi

started=$SECONDS
log "installing into $env_dir (base $base_python)"
rm -rf "$env_dir"
if ! "$base_python" -m venv "$env_dir" >&2; then
    rm -rf "$env_dir"
    log "could not create a virtual environment with $base_python"
    log "(on Debian/Ubuntu: apt-get install python3.11-venv, or set WEGWIJS_RASA_PYTHON)"
    exit 2
fi

# Rasa 3.6.21 declares Requires-Python <3.11 and its numpy/scipy/scikit-learn/dask pins are
# gated on python_version<"3.11", so a plain resolve on 3.11 picks versions it cannot run with.
# The lock file is a complete, tested set (matplotlib 3.6.3 instead of a source build of
# <3.6), installed as-is without resolving.
PIP_DISABLE_PIP_VERSION_CHECK=1 "$env_python" -m pip install \
    --quiet --no-deps --ignore-requires-python --prefer-binary \
    -r "$lock_file" >&2

# Fail here rather than at first use if the set does not import.
RASA_TELEMETRY_ENABLED=false "$env_python" -c \
    'import rasa, rasa.nlu.classifiers.diet_classifier, rasa.core.run; print("rasa", rasa.__version__)' >&2

printf 'lock_sha256_12=%s\ninstalled_seconds=%s\n' "$lock_hash" "$((SECONDS - started))" >"$marker"
log "done in $((SECONDS - started)) s ($(du -sh "$env_dir" | cut -f1))"
echo "$env_python"
