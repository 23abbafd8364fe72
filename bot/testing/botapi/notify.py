"""A cheap "something changed" broadcast that waiters can await without polling loops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Signal:
    """Wakes every current waiter on `fire()`; costs nothing when nobody waits."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        event = self._event
        if event is not None:
            self._event = None
            event.set()

    async def wait(self) -> None:
        """Wait for the next `fire()`."""
        if self._event is None:
            self._event = asyncio.Event()
        await self._event.wait()

    async def wait_until(self, check: Callable[[], T | None], seconds: float) -> T | None:
        """Return the first truthy `check()` result, re-checked after each fire; None on timeout."""
        result = check()
        if result:
            return result
        try:
            async with asyncio.timeout(seconds):
                while True:
                    await self.wait()
                    result = check()
                    if result:
                        return result
        except TimeoutError:
            return None
