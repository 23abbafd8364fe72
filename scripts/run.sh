#!/usr/bin/env bash
# `make run`: install if needed, then start Wegwijs. Without TELEGRAM_BOT_TOKEN this is the
# console chat on a SQLite file in the current folder; with it, the Telegram bot.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/venv.sh"
exec "$here/.venv/bin/wegwijs" run "$@"
