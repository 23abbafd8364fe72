"""RemoteParticipant: the Participant API over HTTP, for a server in another process."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from .control import PREFIX
from .faults import CallRecord, FaultKind
from .media import MediaKind
from .models import CallbackQueryRecord, ChatActionRecord
from .views import ChatMessage, SentDocument

Json = dict[str, Any]


class RemoteError(Exception):
    """The server refused a participant operation (a test mistake, not a Bot API error)."""


class RemoteParticipant:
    """Same operations as Participant, all async, talking to `python -m bot.testing.botapi`."""

    def __init__(self, url: str, token: str, *, client: httpx.AsyncClient | None = None) -> None:
        self._base = f"{url.rstrip('/')}{PREFIX}bot{token}/"
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=256), trust_env=False
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> RemoteParticipant:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _call(self, operation: str, **kwargs: Any) -> Any:
        response = await self._client.post(self._base + operation, json=kwargs)
        body = response.json()
        if body.get("ok"):
            return body["result"]
        if body.get("type") == "TimeoutError":
            raise TimeoutError(body["error"])
        raise RemoteError(body.get("error", response.text))

    # -- people and chats
    async def add_user(self, user_id: int, first_name: str = "Amina", **options: Any) -> Json:
        result: Json = await self._call(
            "add_user", user_id=user_id, first_name=first_name, **options
        )
        return result

    async def private_chat(self, user_id: int, first_name: str = "Amina", **options: Any) -> int:
        result: int = await self._call(
            "private_chat", user_id=user_id, first_name=first_name, **options
        )
        return result

    async def group_chat(self, chat_id: int, title: str = "Taalhuis groep", **options: Any) -> int:
        result: int = await self._call("group_chat", chat_id=chat_id, title=title, **options)
        return result

    async def block_bot(self, chat_id: int) -> Json:
        result: Json = await self._call("block_bot", chat_id=chat_id)
        return result

    async def unblock_bot(self, chat_id: int) -> Json:
        result: Json = await self._call("unblock_bot", chat_id=chat_id)
        return result

    # -- what the participant does (each returns the Update handed to the bot)
    async def send_text(self, chat_id: int, text: str, **options: Any) -> Json:
        result: Json = await self._call("send_text", chat_id=chat_id, text=text, **options)
        return result

    async def send_command(
        self, chat_id: int, command: str, args: str = "", **options: Any
    ) -> Json:
        result: Json = await self._call(
            "send_command", chat_id=chat_id, command=command, args=args, **options
        )
        return result

    async def send_media(
        self, chat_id: int, kind: MediaKind, *, content: bytes | None = None, **options: Any
    ) -> Json:
        if content is not None:
            options["content_b64"] = base64.b64encode(content).decode("ascii")
        result: Json = await self._call("send_media", chat_id=chat_id, kind=kind, **options)
        return result

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> Json:
        result: Json = await self._call(
            "edit_text", chat_id=chat_id, message_id=message_id, text=text
        )
        return result

    async def press_button(
        self, chat_id: int, message_id: int, callback_data: str, **options: Any
    ) -> Json:
        result: Json = await self._call(
            "press_button",
            chat_id=chat_id,
            message_id=message_id,
            callback_data=callback_data,
            **options,
        )
        return result

    async def tap(self, chat_id: int, label: str, **options: Any) -> Json:
        result: Json = await self._call("tap", chat_id=chat_id, label=label, **options)
        return result

    async def redeliver(self, update_id: int) -> Json:
        result: Json = await self._call("redeliver", update_id=update_id)
        return result

    async def push_update(self, kind: str, payload: Json) -> Json:
        result: Json = await self._call("push_update", kind=kind, payload=payload)
        return result

    # -- what the bot did
    async def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        found = await self._call("messages", chat_id=chat_id, include_deleted=include_deleted)
        return [ChatMessage.from_json(item) for item in found]

    async def bot_messages(
        self, chat_id: int, *, include_deleted: bool = False
    ) -> list[ChatMessage]:
        found = await self._call("bot_messages", chat_id=chat_id, include_deleted=include_deleted)
        return [ChatMessage.from_json(item) for item in found]

    async def message(self, chat_id: int, message_id: int) -> ChatMessage:
        return ChatMessage.from_json(
            await self._call("message", chat_id=chat_id, message_id=message_id)
        )

    async def chat_actions(self, chat_id: int) -> list[ChatActionRecord]:
        return [
            ChatActionRecord(**item) for item in await self._call("chat_actions", chat_id=chat_id)
        ]

    async def documents(self, chat_id: int) -> list[SentDocument]:
        found = await self._call("documents", chat_id=chat_id)
        return [SentDocument.from_json(item) for item in found]

    async def commands(self, language_code: str = "", scope: Json | None = None) -> list[Json]:
        result: list[Json] = await self._call("commands", language_code=language_code, scope=scope)
        return result

    async def callback_answers(self) -> list[CallbackQueryRecord]:
        return [CallbackQueryRecord(**item) for item in await self._call("callback_answers")]

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ChatMessage]:
        found = await self._call("wait_for_messages", chat_id=chat_id, count=count, timeout=timeout)
        return [ChatMessage.from_json(item) for item in found]

    async def wait_for_reply(self, chat_id: int, timeout: float = 5.0) -> ChatMessage:  # noqa: ASYNC109
        return ChatMessage.from_json(
            await self._call("wait_for_reply", chat_id=chat_id, timeout=timeout)
        )

    async def wait_for_answer(self, query_id: str, timeout: float = 5.0) -> CallbackQueryRecord:  # noqa: ASYNC109
        return CallbackQueryRecord(
            **await self._call("wait_for_answer", query_id=query_id, timeout=timeout)
        )

    # -- faults and the call log
    async def add_fault(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 0.0,
    ) -> Json:
        result: Json = await self._call(
            "add_fault",
            kind=kind,
            method=method,
            count=count,
            retry_after=retry_after,
            seconds=seconds,
        )
        return result

    async def clear_faults(self) -> None:
        await self._call("clear_faults")

    async def calls(self, method: str | None = None) -> list[CallRecord]:
        return [CallRecord(**item) for item in await self._call("calls", method=method)]

    async def webhook_info(self) -> Json:
        result: Json = await self._call("webhook_info")
        return result
