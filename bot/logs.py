"""Logging set-up: plain lines for people, JSON lines for production (LOG_JSON=1)."""

from __future__ import annotations

import json
import logging
import sys

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            # exc_text when set: the traceback as bot.observability.context cleaned it.
            payload["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def setup_logging(level: str = "INFO", as_json: bool = False) -> None:
    from bot.observability.context import LogContextFilter

    handler = logging.StreamHandler(sys.stderr)
    # Request ids on every line; chat ids and bot tokens never in one.
    handler.addFilter(LogContextFilter())
    if as_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # One line at DEBUG, so a log shows which level was in force (the privacy tests read it).
    logging.getLogger(__name__).debug("logging at %s", level.upper())
    # Library chatter (every HTTP request PTB makes) would drown our own lines.
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
