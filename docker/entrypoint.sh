#!/bin/sh
# Start-up of the bot container. tests/ops/test_startup.py runs this same file outside Docker.
#   serve     (default) migrate and register the webhook once in this process, then start
#             WEB_CONCURRENCY uvicorn workers: the Telegram webhook, the dashboard, /healthz,
#             /readyz, /metrics, and in every worker a reminder loop and a retention loop
#   migrate   only the database migrations (compose's one-shot `migrate` service)
#   other     any wegwijs command: seed-demo, users add ..., privacy purge, health, ...
set -eu

command="${1:-serve}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$command" in
    serve)
        exec wegwijs serve --workers "${WEB_CONCURRENCY:-2}" "$@"
        ;;
    migrate)
        exec wegwijs db upgrade
        ;;
    *)
        exec wegwijs "$command" "$@"
        ;;
esac
