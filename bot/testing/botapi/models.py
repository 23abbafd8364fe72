"""In-memory state of the fake Telegram: users, chats, messages, files and what the bot did."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import CHAT_NOT_FOUND, bad_request
from .notify import Signal

Json = dict[str, Any]


@dataclass(slots=True)
class StoredFile:
    """A file the bot uploaded or a participant sent; served under /file/bot<token>/<path>."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> Json:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(slots=True)
class MessageRecord:
    """One message in a chat; `message` is the current Bot API Message object (after edits)."""

    message: Json
    from_bot: bool
    reply_keyboard: Json | None = None  # reply keyboards are not echoed in Message objects
    deleted: bool = False
    edit_count: int = 0


@dataclass(slots=True)
class ChatActionRecord:
    action: str
    at: float


@dataclass(slots=True)
class CallbackQueryRecord:
    query_id: str
    chat_id: int
    message_id: int
    data: str
    user_id: int
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    answered_at: float | None = None


class ChatState:
    """A chat as the server knows it, plus everything the bot did in it."""

    __slots__ = (
        "actions",
        "blocked",
        "bot_message_ids",
        "chat",
        "inbound_mark",
        "members",
        "menu_button",
        "messages",
        "next_message_id",
        "signal",
        "user",
    )

    def __init__(self, chat: Json, user: Json | None) -> None:
        self.chat = chat
        self.user = user  # the other party of a private chat
        self.members: dict[int, Json] = {user["id"]: user} if user else {}
        self.messages: dict[int, MessageRecord] = {}
        self.bot_message_ids: list[int] = []
        self.actions: list[ChatActionRecord] = []
        self.next_message_id = 1
        self.signal = Signal()
        self.blocked = False
        # How many bot messages existed when the participant last wrote: replies come after it.
        self.inbound_mark = 0
        self.menu_button: Json | None = None

    @property
    def id(self) -> int:
        chat_id: int = self.chat["id"]
        return chat_id

    def add(self, sender: Json, date: int, from_bot: bool, fields: Json) -> MessageRecord:
        message_id = self.next_message_id
        self.next_message_id += 1
        message = {"message_id": message_id, "from": sender, "chat": self.chat, "date": date}
        message.update(fields)
        record = MessageRecord(message=message, from_bot=from_bot)
        self.messages[message_id] = record
        if from_bot:
            self.bot_message_ids.append(message_id)
        self.signal.fire()
        return record

    def get(self, message_id: int) -> MessageRecord | None:
        record = self.messages.get(message_id)
        if record is None or record.deleted:
            return None
        return record


def bot_id_from_token(token: str) -> int:
    """Bot tokens are "<bot id>:<secret>"; Telegram's getMe answers with that id."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 1


class BotState:
    """Everything the fake server remembers for one bot token."""

    def __init__(
        self,
        token: str,
        clock: Callable[[], float],
        *,
        first_name: str = "Wegwijs Test",
        username: str = "wegwijs_test_bot",
    ) -> None:
        self.token = token
        self.clock = clock
        self.bot_user: Json = {
            "id": bot_id_from_token(token),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.chats: dict[int, ChatState] = {}
        self.usernames: dict[str, int] = {}
        self.users: dict[int, Json] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        # (canonical scope JSON, language_code or "") -> commands
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.callback_answers: list[CallbackQueryRecord] = []
        self.default_menu_button: Json = {"type": "commands"}
        # (field, language_code or "") -> name / description / short_description
        self.profile: dict[tuple[str, str], str] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(4_000_000_001)

    def next_callback_query_id(self) -> str:
        return str(next(self._callback_ids))

    def now(self) -> int:
        """Telegram dates are Unix seconds."""
        return int(self.clock())

    def chat(self, chat_id: int | str) -> ChatState:
        if isinstance(chat_id, str):
            found = self.usernames.get(chat_id.lstrip("@").lower())
            if found is None:
                raise bad_request(CHAT_NOT_FOUND)
            chat_id = found
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def add_user(self, user: Json) -> Json:
        self.users[user["id"]] = user
        return user

    def add_chat(self, chat: Json, user: Json | None) -> ChatState:
        state = ChatState(chat, user)
        self.chats[chat["id"]] = state
        username = chat.get("username")
        if username:
            self.usernames[username.lower()] = chat["id"]
        return state

    def store_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_ids)
        file_id = f"{kind.upper()}-{number:08d}-AgADBAAD"
        extension = ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"U{number:08d}",
            file_path=f"{kind}s/file_{number}{extension}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def chat_instance(self, chat_id: int) -> str:
        """Stable per chat, opaque like Telegram's (a signed 64-bit number as text)."""
        return str((chat_id * 6364136223846793005 + 1442695040888963407) % (2**63) - 2**62)

    def require_message(
        self, chat: ChatState, message_id: int | None, action: str
    ) -> MessageRecord:
        record = chat.get(message_id) if message_id is not None else None
        if record is None:
            raise bad_request(f"message to {action} not found")
        return record
