"""The Bot API method table and the dispatcher that applies faults and records calls."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import admin, messaging
from .backend import Backend
from .errors import NOT_FOUND, BotApiError, too_many_requests
from .faults import CallRecord
from .params import Params

Handler = Callable[[Backend, Params], Awaitable[Any]]

_HANDLERS: dict[str, Handler] = {
    "getMe": admin.get_me,
    "getUpdates": admin.get_updates,
    "setWebhook": admin.set_webhook,
    "deleteWebhook": admin.delete_webhook,
    "getWebhookInfo": admin.get_webhook_info,
    "sendMessage": messaging.send_message,
    "editMessageText": messaging.edit_message_text,
    "editMessageCaption": messaging.edit_message_caption,
    "editMessageReplyMarkup": messaging.edit_message_reply_markup,
    "deleteMessage": messaging.delete_message,
    "answerCallbackQuery": messaging.answer_callback_query,
    "sendChatAction": messaging.send_chat_action,
    "sendDocument": messaging.send_document,
    "sendPhoto": messaging.send_photo,
    "setMyCommands": admin.set_my_commands,
    "getMyCommands": admin.get_my_commands,
    "deleteMyCommands": admin.delete_my_commands,
    "setChatMenuButton": admin.set_chat_menu_button,
    "getChatMenuButton": admin.get_chat_menu_button,
    "setMyName": admin.set_my_name,
    "getMyName": admin.get_my_name,
    "setMyDescription": admin.set_my_description,
    "getMyDescription": admin.get_my_description,
    "setMyShortDescription": admin.set_my_short_description,
    "getMyShortDescription": admin.get_my_short_description,
    "getFile": admin.get_file,
    "close": admin.harmless,
    "logOut": admin.harmless,
}
# Telegram's method names are case-insensitive.
METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler) for name, handler in _HANDLERS.items()
}
SUPPORTED_METHODS = tuple(_HANDLERS)

_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _chat_key(value: Any) -> int | str | None:
    # Form bodies carry chat_id as text; tests compare with ints.
    if isinstance(value, str):
        return int(value) if value.lstrip("-").isdigit() else value
    return value if isinstance(value, int) else None


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(error: BotApiError) -> tuple[int, bytes, bytes]:
    return error.error_code, encode(error.payload()), b"application/json"


async def call(backend: Backend, method: str, params: Params) -> tuple[int, bytes, bytes]:
    """Run one method; returns (HTTP status, body, content type)."""
    lower = method.lower()
    entry = METHODS.get(lower)
    chat_id = _chat_key(params.values.get("chat_id"))
    received = time.monotonic()
    if entry is None:
        backend.calls.add(CallRecord(method, received, chat_id, 404))
        return _error(NOT_FOUND)
    name, handler = entry
    fault = backend.faults.take(lower)
    if fault is not None:
        if fault.kind == "retry_after":
            backend.calls.add(CallRecord(name, received, chat_id, 429))
            return _error(too_many_requests(fault.retry_after))
        if fault.kind == "server_error":
            backend.calls.add(CallRecord(name, received, chat_id, 500))
            return _error(BotApiError(500, "Internal Server Error"))
        if fault.kind == "bad_gateway":
            backend.calls.add(CallRecord(name, received, chat_id, 502))
            return 502, _BAD_GATEWAY, b"text/html"
        # A hang ends early when the server stops, so teardown never waits for it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(backend.closed.wait(), fault.seconds)
    try:
        result = await handler(backend, params)
    except BotApiError as error:
        backend.calls.add(CallRecord(name, received, chat_id, error.error_code))
        return _error(error)
    backend.calls.add(CallRecord(name, received, chat_id, 200))
    return 200, encode({"ok": True, "result": result}), b"application/json"
