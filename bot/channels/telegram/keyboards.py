"""Which of the bot's messages in each chat still show choice buttons, so old ones can be cleared.

Kept in memory: after a restart the buttons sent before it stay on screen, and pressing one gets
the engine's kind "that button is old" answer. Bounded, so a busy bot does not grow without end.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.channels.telegram.convert import LinkRow


@dataclass(frozen=True)
class Shown:
    """A message with choice buttons; `links` are its link rows, which stay when buttons go."""

    message_id: int
    links: tuple[LinkRow, ...] = ()


class KeyboardTracker:
    def __init__(self, max_chats: int = 50_000) -> None:
        self.max_chats = max_chats
        self._chats: OrderedDict[int, list[Shown]] = OrderedDict()

    def current(self, chat_id: int) -> list[Shown]:
        return list(self._chats.get(chat_id, ()))

    def replace(self, chat_id: int, shown: list[Shown]) -> list[Shown]:
        """Record the newest keyboards of a chat; returns the earlier ones, to be cleared."""
        earlier = self._chats.pop(chat_id, [])
        if shown:
            self._remember(chat_id, shown)
        new_ids = {item.message_id for item in shown}
        return [item for item in earlier if item.message_id not in new_ids]

    def add(self, chat_id: int, shown: list[Shown]) -> None:
        """Keyboards sent outside a turn (a reminder): cleared with the next turn's."""
        if shown:
            self._remember(chat_id, [*self._chats.pop(chat_id, []), *shown])

    def _remember(self, chat_id: int, shown: list[Shown]) -> None:
        self._chats[chat_id] = shown
        self._chats.move_to_end(chat_id)
        while len(self._chats) > self.max_chats:
            self._chats.popitem(last=False)
