"""Messages the assistant sends without being asked: reminders, nudges, staff messages.

The channel that owns a chat delivers them (Telegram sends, the console prints); the services
that produce them (reminder loop, dashboard) only know this protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.conversation.replies import Reply


class Notifier(Protocol):
    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        """Deliver the replies; False when the chat cannot be reached (blocked, deleted)."""
        ...


class RecordingNotifier:
    """Keeps what would have been sent: for the console, tests and dry runs."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, tuple[Reply, ...]]] = []

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Reply]) -> bool:
        self.sent.append((channel, chat_id, tuple(replies)))
        return True
