"""Runs updates of one chat in order and different chats concurrently, with a bound on both.

PTB's `BaseUpdateProcessor.process_update` holds its semaphore while `do_process_update` runs. If
we waited for a chat's turn inside that semaphore, one chat sending fifty messages would occupy
every slot and stall everybody else. So PTB's own bound is set high (it only caps how many updates
may wait), and the real bound on concurrent turns is taken here, after the chat's turn has come.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


class UpdateGate(Protocol):
    """Decides whether an update is new. The hook for handling each update_id once across
    several processes (the "several workers" issue replaces the in-memory default)."""

    async def first_time(self, update_id: int) -> bool: ...


class RecentUpdates:
    """In-process gate: drops an update_id seen among the last `size` ones (a redelivery)."""

    def __init__(self, size: int = 4096) -> None:
        self._seen: set[int] = set()
        self._order: deque[int] = deque()
        self._size = size

    async def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self._size:
            self._seen.discard(self._order.popleft())
        return True


@dataclass
class _Chat:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0


def chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_turns: int = 32,
        *,
        max_pending_per_chat: int = 8,
        max_waiting: int = 4096,
        gate: UpdateGate | None = None,
    ) -> None:
        super().__init__(max_waiting)
        self.max_concurrent_turns = max_concurrent_turns
        self.max_pending_per_chat = max_pending_per_chat
        self.gate: UpdateGate = gate or RecentUpdates()
        self.dropped = 0
        self._turns = asyncio.BoundedSemaphore(max_concurrent_turns)
        self._chats: dict[int, _Chat] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._turns:
                await coroutine
            return
        # Nothing may be awaited before the chat's lock is asked for: asyncio.Lock serves waiters
        # first come, first served, and that is what keeps a chat's updates in order.
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        if chat.pending >= self.max_pending_per_chat:
            # A flood (or a stuck client resending): answering all of it would only delay this
            # chat's replies further and use the bot's overall sending budget.
            self.dropped += 1
            log.warning("chat %s has %s updates waiting; dropped one", key, chat.pending)
            _discard(coroutine)
            return
        chat.pending += 1
        try:
            async with chat.lock:
                update_id = update.update_id if isinstance(update, Update) else None
                if update_id is not None and not await self.gate.first_time(update_id):
                    log.info("update %s was delivered before; skipped", update_id)
                    _discard(coroutine)
                    return
                async with self._turns:
                    await coroutine
        finally:
            chat.pending -= 1
            if chat.pending == 0 and self._chats.get(key) is chat:
                del self._chats[key]


def _discard(coroutine: Awaitable[Any]) -> None:
    # PTB hands over an un-started coroutine; closing it avoids "never awaited" warnings.
    if inspect.iscoroutine(coroutine):
        coroutine.close()
