"""HTTP access to the participant side, for a bot or benchmark running in another process.

POST /_participant/bot<token>/<operation> with a JSON object of keyword arguments; the answer
is `{"ok": true, "result": ...}` or `{"ok": false, "error": "..."}`. `RemoteParticipant` in
remote.py is the client. Only meant for 127.0.0.1.
"""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

from .backend import Backend
from .client import Participant
from .params import read_params

PREFIX = "/_participant/"

# Participant methods reachable over HTTP (async ones are awaited).
OPERATIONS = frozenset(
    {
        "add_user",
        "private_chat",
        "group_chat",
        "block_bot",
        "unblock_bot",
        "send_text",
        "send_command",
        "send_media",
        "edit_text",
        "press_button",
        "tap",
        "redeliver",
        "push_update",
        "messages",
        "bot_messages",
        "message",
        "chat_actions",
        "documents",
        "commands",
        "callback_answers",
        "callback_query",
        "wait_for_messages",
        "wait_for_reply",
        "wait_for_answer",
    }
)


def to_json(value: Any) -> Any:
    """Views and records as plain JSON (document bytes as base64)."""
    if isinstance(value, list):
        return [to_json(item) for item in value]
    to_json_method = getattr(value, "to_json", None)
    if callable(to_json_method):
        return to_json_method()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


class ParticipantEndpoint:
    """ASGI app for PREFIX + "bot<token>/<operation>", plus faults/<kind> and calls."""

    def __init__(self, backend: Backend, participant: Participant) -> None:
        self.backend = backend
        self.participant = participant
        self.prefix = f"{PREFIX}bot{backend.token}/"
        self._special: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "add_fault": self._add_fault,
            "clear_faults": self._clear_faults,
            "calls": self._calls,
            "webhook_info": self._webhook_info,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        operation = path[len(self.prefix) :] if path.startswith(self.prefix) else ""
        status = 200
        try:
            kwargs = (await read_params(scope, receive)).values
            if "content_b64" in kwargs:
                kwargs["content"] = base64.b64decode(kwargs.pop("content_b64"))
            if operation in self._special:
                result = await self._special[operation](kwargs)
            elif operation in OPERATIONS:
                result = getattr(self.participant, operation)(**kwargs)
                if inspect.isawaitable(result):
                    result = await result
            else:
                raise LookupError(f"unknown participant operation {operation!r}")
            body: dict[str, Any] = {"ok": True, "result": to_json(result)}
        except TimeoutError as error:
            status, body = 408, {"ok": False, "error": str(error), "type": "TimeoutError"}
        except (LookupError, ValueError, TypeError) as error:
            status, body = 400, {"ok": False, "error": str(error), "type": type(error).__name__}
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def _add_fault(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return asdict(self.backend.faults.add(**kwargs))

    async def _clear_faults(self, kwargs: dict[str, Any]) -> bool:
        self.backend.faults.clear()
        return True

    async def _calls(self, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        method = kwargs.get("method")
        records = self.backend.calls.of(method) if method else self.backend.calls.records
        return [asdict(record) for record in records]

    async def _webhook_info(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return self.backend.webhook.info()
