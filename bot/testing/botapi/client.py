"""The participant's side: people who write to the bot, tap its buttons, and read its answers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .backend import Backend
from .formatting import utf16_len
from .media import MediaKind, media_fields
from .models import CallbackQueryRecord, ChatActionRecord, ChatState, MessageRecord
from .views import ChatMessage, SentDocument, documents_of

Json = dict[str, Any]
T = TypeVar("T")


class Participant:
    """Drives one fake Telegram in-process. Writes are async (they may wake the bot); reads are
    plain methods returning views of the current state.

    Errors in the test itself (unknown chat, a button that is not there) raise LookupError or
    ValueError at once instead of being sent to the bot.
    """

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._state = backend.state
        self._updates = backend.updates

    # -- people and chats ------------------------------------------------------------------

    async def add_user(
        self,
        user_id: int,
        first_name: str = "Amina",
        *,
        language_code: str | None = "nl",
        last_name: str | None = None,
        username: str | None = None,
    ) -> Json:
        """Register a Telegram user (a User object) without opening a chat."""
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return self._state.add_user(user)

    async def private_chat(
        self,
        user_id: int,
        first_name: str = "Amina",
        *,
        language_code: str | None = "nl",
        last_name: str | None = None,
        username: str | None = None,
    ) -> int:
        """Open a private chat between a new user and the bot; returns the chat id (= user id)."""
        user = await self.add_user(
            user_id, first_name, language_code=language_code, last_name=last_name, username=username
        )
        chat: Json = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self._state.add_chat(chat, user)
        return user_id

    async def group_chat(
        self,
        chat_id: int,
        title: str = "Taalhuis groep",
        *,
        members: Sequence[int] = (),
        supergroup: bool = True,
    ) -> int:
        """Open a group (negative id) with users added before by add_user / private_chat."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat: Json = {
            "id": chat_id,
            "type": "supergroup" if supergroup else "group",
            "title": title,
        }
        state = self._state.add_chat(chat, None)
        for user_id in members:
            state.members[user_id] = self._user(user_id)
        return chat_id

    async def block_bot(self, chat_id: int) -> Json:
        """The user blocks the bot: later sends fail with 403, and a my_chat_member update comes."""
        return await self._set_blocked(chat_id, True)

    async def unblock_bot(self, chat_id: int) -> Json:
        return await self._set_blocked(chat_id, False)

    # -- what the participant does -------------------------------------------------------------

    async def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        from_user: int | None = None,
        entities: list[Json] | None = None,
        reply_to: int | None = None,
    ) -> Json:
        """Send a text message; returns the Update given to the bot."""
        fields: Json = {"text": text}
        if entities:
            fields["entities"] = entities
        return self._inbound(chat_id, from_user, fields, reply_to)

    async def send_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        *,
        from_user: int | None = None,
        mention_bot: bool = False,
    ) -> Json:
        """Send "/command args" with a bot_command entity ("/start@bot" with mention_bot)."""
        head = "/" + command.lstrip("/")
        if mention_bot:
            head += "@" + self._state.bot_user["username"]
        text = f"{head} {args}" if args else head
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(head)}
        return self._inbound(chat_id, from_user, {"text": text, "entities": [entity]}, None)

    async def send_media(
        self,
        chat_id: int,
        kind: MediaKind,
        *,
        caption: str | None = None,
        content: bytes | None = None,
        file_name: str | None = None,
        from_user: int | None = None,
        **overrides: Any,
    ) -> Json:
        """Send a sticker, photo, voice, video, video_note, audio, document, location, contact,
        animation, poll or dice. File kinds get a file_id the bot can getFile and download."""
        fields = media_fields(
            self._state, kind, content=content, file_name=file_name, overrides=overrides
        )
        if caption is not None:
            fields["caption"] = caption
        return self._inbound(chat_id, from_user, fields, None)

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> Json:
        """Edit one of the participant's own text messages; the bot gets an edited_message."""
        chat = self._chat(chat_id)
        record = chat.get(message_id)
        if record is None or record.from_bot or "text" not in record.message:
            raise LookupError(f"chat {chat_id} has no participant text message {message_id}")
        message = dict(record.message)
        message["text"] = text
        message.pop("entities", None)
        message["edit_date"] = self._state.now()
        record.message = message
        record.edit_count += 1
        chat.inbound_mark = len(chat.bot_message_ids)
        return self._updates.push("edited_message", message)

    async def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        from_user: int | None = None,
        forge: bool = False,
    ) -> Json:
        """Tap the inline button carrying `callback_data` on a bot message; returns the Update.

        The button must be on the message as it is now, unless `forge` is set (a client sending
        data of a button that was never there, or no longer is).
        """
        chat = self._chat(chat_id)
        record = chat.get(message_id)
        if record is None or not record.from_bot:
            raise LookupError(f"chat {chat_id} has no bot message {message_id}")
        if not forge:
            view = ChatMessage.of(record)
            if callback_data not in view.callback_data:
                raise LookupError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"it has {view.callback_data}"
                )
        user = self._sender(chat, from_user)
        query_id = self._state.next_callback_query_id()
        self._state.callback_queries[query_id] = CallbackQueryRecord(
            query_id=query_id,
            chat_id=chat_id,
            message_id=message_id,
            data=callback_data,
            user_id=user["id"],
        )
        chat.inbound_mark = len(chat.bot_message_ids)
        payload = {
            "id": query_id,
            "from": user,
            "message": record.message,
            "chat_instance": self._state.chat_instance(chat_id),
            "data": callback_data,
        }
        return self._updates.push("callback_query", payload)

    async def tap(
        self,
        chat_id: int,
        label: str,
        *,
        message_id: int | None = None,
        from_user: int | None = None,
    ) -> Json:
        """Tap the button labelled `label` on the given (default: the latest) bot message."""
        candidates = self.bot_messages(chat_id)
        if message_id is not None:
            candidates = [m for m in candidates if m.message_id == message_id]
        for message in reversed(candidates):
            for row in message.buttons:
                for button in row:
                    if button["text"] == label and "callback_data" in button:
                        return await self.press_button(
                            chat_id,
                            message.message_id,
                            button["callback_data"],
                            from_user=from_user,
                        )
        labels = [m.button_texts for m in candidates[-3:]]
        raise LookupError(f"no button {label!r} in chat {chat_id}; recent buttons: {labels}")

    async def redeliver(self, update_id: int) -> Json:
        """Hand the bot the same update (same update_id) once more, as after a lost ack."""
        if update_id not in self._updates.history:
            raise LookupError(f"no update {update_id}")
        return self._updates.redeliver(update_id)

    async def push_update(self, kind: str, payload: Json) -> Json:
        """Escape hatch: queue any update object the helpers above do not build."""
        return self._updates.push(kind, payload)

    # -- what the bot did ----------------------------------------------------------------------

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """All messages of the chat, both sides, in order."""
        return [
            ChatMessage.of(record)
            for record in self._chat(chat_id).messages.values()
            if include_deleted or not record.deleted
        ]

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        chat = self._chat(chat_id)
        records = (chat.messages[i] for i in chat.bot_message_ids)
        return [ChatMessage.of(r) for r in records if include_deleted or not r.deleted]

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        record = self._chat(chat_id).messages.get(message_id)
        if record is None:
            raise LookupError(f"chat {chat_id} has no message {message_id}")
        return ChatMessage.of(record)

    def chat_actions(self, chat_id: int) -> list[ChatActionRecord]:
        return list(self._chat(chat_id).actions)

    def documents(self, chat_id: int) -> list[SentDocument]:
        return documents_of(self._state, list(self._chat(chat_id).messages.values()))

    def commands(self, language_code: str = "", scope: Json | None = None) -> list[Json]:
        """The commands set for exactly this scope and language ("" = for all languages)."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self._state.commands.get(key, []))

    def callback_answers(self) -> list[CallbackQueryRecord]:
        return list(self._state.callback_answers)

    def callback_query(self, query_id: str) -> CallbackQueryRecord:
        return self._state.callback_queries[query_id]

    def is_blocked(self, chat_id: int) -> bool:
        return self._chat(chat_id).blocked

    # -- waiting without sleeping --------------------------------------------------------------

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ChatMessage]:
        """Wait until the bot has sent at least `count` messages to the chat; returns them all."""
        chat = self._chat(chat_id)
        done = await chat.signal.wait_until(lambda: len(chat.bot_message_ids) >= count, timeout)
        if not done:
            raise TimeoutError(
                f"chat {chat_id}: waited {timeout}s for {count} bot messages, got "
                f"{len(chat.bot_message_ids)}: {self._texts(chat)}"
            )
        return self.bot_messages(chat_id, include_deleted=True)

    async def wait_for_reply(self, chat_id: int, timeout: float = 5.0) -> ChatMessage:  # noqa: ASYNC109
        """The first bot message sent after the participant's latest message, tap or edit."""
        chat = self._chat(chat_id)
        mark = chat.inbound_mark

        def reply() -> MessageRecord | None:
            if len(chat.bot_message_ids) > mark:
                return chat.messages[chat.bot_message_ids[mark]]
            return None

        found = await chat.signal.wait_until(reply, timeout)
        if found is None:
            raise TimeoutError(
                f"chat {chat_id}: no reply within {timeout}s; bot messages: {self._texts(chat)}"
            )
        return ChatMessage.of(found)

    async def wait_for_answer(self, query_id: str, timeout: float = 5.0) -> CallbackQueryRecord:  # noqa: ASYNC109
        """Wait until the bot answered this callback query (answerCallbackQuery)."""
        query = self._state.callback_queries[query_id]
        chat = self._chat(query.chat_id)
        if not await chat.signal.wait_until(lambda: query.answered, timeout):
            raise TimeoutError(f"callback query {query_id} not answered within {timeout}s")
        return query

    async def wait_until(
        self,
        chat_id: int,
        check: Callable[[], T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> T:
        """Wait until `check()` is truthy, re-checked whenever something changes in the chat."""
        result = await self._chat(chat_id).signal.wait_until(check, timeout)
        if not result:
            raise TimeoutError(f"chat {chat_id}: condition not met within {timeout}s")
        return result

    # -- helpers ---------------------------------------------------------------------------------

    def _chat(self, chat_id: int) -> ChatState:
        chat = self._state.chats.get(chat_id)
        if chat is None:
            raise LookupError(f"no chat {chat_id}; open it with private_chat() or group_chat()")
        return chat

    def _user(self, user_id: int) -> Json:
        user = self._state.users.get(user_id)
        if user is None:
            raise LookupError(f"no user {user_id}; create it with add_user() or private_chat()")
        return user

    def _sender(self, chat: ChatState, from_user: int | None) -> Json:
        if from_user is not None:
            return self._user(from_user)
        if chat.user is not None:
            return chat.user
        if chat.members:
            return next(iter(chat.members.values()))
        raise ValueError(f"chat {chat.id} has no members; pass from_user")

    def _inbound(
        self, chat_id: int, from_user: int | None, fields: Json, reply_to: int | None
    ) -> Json:
        chat = self._chat(chat_id)
        sender = self._sender(chat, from_user)
        if reply_to is not None:
            replied = chat.get(reply_to)
            if replied is None:
                raise LookupError(f"chat {chat_id} has no message {reply_to} to reply to")
            fields["reply_to_message"] = {
                k: v for k, v in replied.message.items() if k != "reply_to_message"
            }
        chat.inbound_mark = len(chat.bot_message_ids)
        record = chat.add(sender, self._state.now(), False, fields)
        return self._updates.push("message", record.message)

    async def _set_blocked(self, chat_id: int, blocked: bool) -> Json:
        chat = self._chat(chat_id)
        if chat.user is None:
            raise ValueError("only private chats can block the bot")
        chat.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        now = self._state.now()
        bot = self._state.bot_user
        payload = {
            "chat": chat.chat,
            "from": chat.user,
            "date": now,
            "old_chat_member": {
                "status": old,
                "user": bot,
                **({"until_date": 0} if old == "kicked" else {}),
            },
            "new_chat_member": {
                "status": new,
                "user": bot,
                **({"until_date": 0} if new == "kicked" else {}),
            },
        }
        return self._updates.push("my_chat_member", payload)

    @staticmethod
    def _texts(chat: ChatState) -> list[str | None]:
        return [ChatMessage.of(chat.messages[i]).text for i in chat.bot_message_ids]
