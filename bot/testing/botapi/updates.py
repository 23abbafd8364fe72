"""The bot's update queue: getUpdates with offsets and real long polling, or a webhook hand-off."""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .errors import conflict
from .notify import Signal

Json = dict[str, Any]

# What Telegram delivers when allowed_updates was never set.
DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
ALL_TYPES = DEFAULT_ALLOWED | {"chat_member", "message_reaction", "message_reaction_count"}


def update_type(update: Json) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


class UpdateStore:
    """Pending updates in id order; acknowledged by getUpdates' offset or webhook delivery."""

    def __init__(self, first_update_id: int = 700_000_001) -> None:
        self._ids = itertools.count(first_update_id)
        self.pending: OrderedDict[int, Json] = OrderedDict()
        self.history: dict[int, Json] = {}
        # Updates pushed again with their old update_id; handed out before the pending ones.
        self.redeliveries: list[Json] = []
        self.allowed: frozenset[str] = DEFAULT_ALLOWED
        self.signal = Signal()
        self.closing = False
        self._poll_generation = 0
        # Set while a webhook is active: called with each new or redelivered update.
        self.forward: Callable[[Json], None] | None = None

    def push(self, kind: str, payload: Json) -> Json:
        update_id = next(self._ids)
        update = {"update_id": update_id, kind: payload}
        self.history[update_id] = update
        self.pending[update_id] = update
        if self.forward is not None:
            self.forward(update)
        else:
            self.signal.fire()
        return update

    def redeliver(self, update_id: int) -> Json:
        update = self.history[update_id]
        if self.forward is not None:
            self.forward(update)
        else:
            self.redeliveries.append(update)
            self.signal.fire()
        return update

    def acknowledge(self, update_id: int) -> None:
        self.pending.pop(update_id, None)

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting, [] means the default, as Telegram documents."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    def drop_pending(self) -> None:
        self.pending.clear()
        self.redeliveries.clear()

    def _confirm(self, offset: int) -> None:
        pending = self.pending
        if offset < 0:
            # A negative offset keeps only the last -offset updates.
            while len(pending) > -offset:
                pending.popitem(last=False)
            return
        while pending:
            first = next(iter(pending))
            if first >= offset:
                break
            del pending[first]

    def _take(self, limit: int) -> list[Json]:
        taken: list[Json] = []
        if self.redeliveries:
            taken.extend(self.redeliveries[:limit])
            del self.redeliveries[:limit]
        pending, allowed = self.pending, self.allowed
        dropped: list[int] = []
        for update_id, update in pending.items():
            if len(taken) >= limit:
                break
            if update_type(update) in allowed:
                taken.append(update)
            else:
                dropped.append(update_id)  # Telegram discards updates the bot did not ask for
        for update_id in dropped:
            del pending[update_id]
        return taken

    async def get_updates(
        self, offset: int | None, limit: int, wait: float, allowed: list[str] | None
    ) -> list[Json]:
        self._poll_generation += 1
        generation = self._poll_generation
        # A newer request ends an older waiting one, just like Telegram does.
        self.signal.fire()
        self.set_allowed(allowed)
        if offset:
            self._confirm(offset)
        updates = self._take(limit)
        if updates or wait <= 0 or self.closing:
            return updates

        def ready() -> list[Json] | None:
            if generation != self._poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            if self.closing:
                return []
            return self._take(limit) or None

        try:
            async with asyncio.timeout(wait):
                while True:
                    await self.signal.wait()
                    result = ready()
                    if result is not None:
                        return result
        except TimeoutError:
            return []

    def close(self) -> None:
        """Release waiting long polls so the HTTP server can shut down at once."""
        self.closing = True
        self.signal.fire()
