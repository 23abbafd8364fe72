"""Outgoing flood control: Telegram's limits per bot, per private chat and per group, plus retries.

Unlike PTB's AIORateLimiter, a 429 answer pauses only the chat it was about (a flood in one chat
must not slow the others), private chats get their own limit (Telegram: about one message a
second, short bursts allowed), and network errors are retried with backoff instead of being
fatal. getUpdates never comes through here (PTB exempts it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
Json = dict[str, Any]
_NOT_MESSAGES = frozenset({"sendChatAction"})
_KEEP_LIMITERS = 4096


@dataclass(frozen=True)
class Limits:
    overall_per_second: float = 30.0
    private_per_second: float = 1.0
    private_burst: int = 5
    """Messages a private chat may get at once (a turn often sends two or three)."""
    group_per_minute: float = 20.0
    max_retries: int = 5
    backoff: float = 0.5
    """First wait after a network error; doubles each time up to `max_backoff`."""
    max_backoff: float = 8.0


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that `retry_after` turns into a timedelta in a later version.
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _chat_of(data: Json) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)  # @channelusername


def _sends_message(endpoint: str) -> bool:
    return (endpoint.startswith("send") and endpoint not in _NOT_MESSAGES) or endpoint in {
        "copyMessage",
        "forwardMessage",
    }


class FloodControl(BaseRateLimiter[int]):
    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._overall = AsyncLimiter(limits.overall_per_second, 1)
        self._chat_limiters: dict[int | str, AsyncLimiter] = {}
        self._paused_until: dict[int | str | None, float] = {}
        self.retries = 0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | Json | list[Json]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | Json | list[Json]:
        chat = _chat_of(data)
        attempts = 1 + (rate_limit_args if rate_limit_args is not None else self.limits.max_retries)
        backoff = self.limits.backoff
        for attempt in range(1, attempts + 1):
            await self._wait_while_paused(chat)
            try:
                async with AsyncExitStack() as stack:
                    if chat is not None and _sends_message(endpoint):
                        await stack.enter_async_context(self._chat_limiter(chat))
                    if chat is not None:
                        await stack.enter_async_context(self._overall)
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == attempts:
                    raise
                seconds = retry_after_seconds(error)
                self.retries += 1
                log.info("%s: Telegram asks to wait %.1fs (chat %s)", endpoint, seconds, chat)
                self._pause(chat, seconds + 0.1)
            except BadRequest:
                raise  # our request was wrong; sending it again will not help
            except NetworkError as error:
                if attempt == attempts:
                    raise
                self.retries += 1
                log.warning("%s failed (%s); retry %s in %.2fs", endpoint, error, attempt, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.limits.max_backoff)
        raise AssertionError("unreachable")

    def _chat_limiter(self, chat: int | str) -> AsyncLimiter:
        limiter = self._chat_limiters.get(chat)
        if limiter is None:
            if len(self._chat_limiters) >= _KEEP_LIMITERS:
                self._forget_idle_limiters()
            limits = self.limits
            if isinstance(chat, int) and chat > 0:
                burst = max(1, limits.private_burst)
                limiter = AsyncLimiter(burst, burst / limits.private_per_second)
            else:
                limiter = AsyncLimiter(limits.group_per_minute, 60)
            self._chat_limiters[chat] = limiter
        return limiter

    def _forget_idle_limiters(self) -> None:
        for key, limiter in list(self._chat_limiters.items()):
            if limiter.has_capacity(limiter.max_rate):
                del self._chat_limiters[key]

    def _pause(self, chat: int | str | None, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until[chat] = max(until, self._paused_until.get(chat, 0.0))

    async def _wait_while_paused(self, chat: int | str | None) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # A 429 without a chat (answerCallbackQuery, setMyCommands) pauses everything.
            until = max(self._paused_until.get(chat, 0.0), self._paused_until.get(None, 0.0))
            wait = until - loop.time()
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        if chat in self._paused_until and self._paused_until[chat] <= loop.time():
            del self._paused_until[chat]
