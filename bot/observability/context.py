"""Request ids for log lines, and the last guard that keeps personal data out of them.

Every HTTP request (a Telegram webhook delivery, a dashboard page) gets an id: the caller's
`X-Request-ID` when it is a plain token, else a new one. It is echoed in the response and added
to every log line written while the request is handled, the turn and its replies included, so
one delivery's lines can be found across a busy log.

The filter also drops the DEBUG lines of libraries that log whole updates or requests (PTB,
httpx, the database drivers) and rewrites what must not be in a log: a Telegram chat id in
"chat 123456" becomes a short keyed hash ("chat ~3f9a0c1d", the same in every worker when
LOG_PSEUDONYM_KEY or SECRET_KEY is set), and a bot token in a URL becomes "bot<token>". Message
text is never logged in the first place (tests/ops/test_logs_privacy.py checks).
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import logging
import os
import re
import secrets
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wegwijs_request_id", default=None
)
HEADER = "x-request-id"
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_CHAT = re.compile(r"\b(chat )(-?\d{3,})\b")
_TOKEN = re.compile(r"\bbot\d{3,}:[A-Za-z0-9_-]{20,}")
_CHATTY_LIBRARIES = frozenset({"telegram", "httpx", "httpcore", "hpack", "aiosqlite", "asyncpg"})
"""Their DEBUG lines carry whole updates and requests (message text): never written."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): the id lives in a context variable for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers") or ():
            if name == HEADER.encode():
                given = value.decode("latin-1")
                break
        request_id = given if _GIVEN_ID.match(given) else new_request_id()
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


def _pseudonym_key() -> bytes:
    key = os.environ.get("LOG_PSEUDONYM_KEY") or os.environ.get("SECRET_KEY")
    # Without a configured key the hashes only match within one process: still no chat id.
    return key.encode() if key else secrets.token_bytes(32)


class LogContextFilter(logging.Filter):
    """Adds `request_id`; replaces chat ids and bot tokens in the message and traceback."""

    def __init__(self, key: bytes | None = None) -> None:
        super().__init__()
        self._key = key or _pseudonym_key()

    def pseudonym(self, chat_id: str) -> str:
        digest = hmac.new(self._key, chat_id.encode(), hashlib.sha256).hexdigest()
        return f"~{digest[:8]}"

    def scrub(self, text: str) -> str:
        text = _CHAT.sub(lambda m: m.group(1) + self.pseudonym(m.group(2)), text)
        return _TOKEN.sub("bot<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO and record.name.split(".")[0] in _CHATTY_LIBRARIES:
            return False
        if getattr(record, "request_id", None) is None:
            request_id = REQUEST_ID.get()
            if request_id is not None:
                record.request_id = request_id
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        cleaned = self.scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            trace = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = self.scrub(trace)
        return True
