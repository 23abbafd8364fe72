"""Webhook mode: POST each update to the bot's URL with the secret header, retrying until 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from .updates import UpdateStore, update_type

Json = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _chat_key(update: Json) -> int:
    """Updates of one chat go through one connection, so their order is kept."""
    payload = update.get(update_type(update))
    if isinstance(payload, dict):
        message = payload.get("message", payload)
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return int(chat["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return int(sender["id"])
    return int(update["update_id"])


class Webhook:
    """The webhook setting of one bot plus the workers that deliver to it."""

    def __init__(
        self,
        updates: UpdateStore,
        clock: Callable[[], float],
        *,
        retry_delay: float = 0.05,
        max_retry_delay: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.updates = updates
        self.clock = clock
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.timeout = timeout
        self.url = ""
        self.secret_token: str | None = None
        self.max_connections = 40
        self.allowed_updates: list[str] | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.attempts = 0
        self.delivered = 0
        self._client: httpx.AsyncClient | None = None
        self._queues: list[asyncio.Queue[Json]] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def active(self) -> bool:
        return bool(self.url)

    async def set(
        self,
        url: str,
        *,
        secret_token: str | None,
        max_connections: int,
        allowed_updates: list[str] | None,
        drop_pending_updates: bool,
    ) -> None:
        await self._stop_workers()
        if drop_pending_updates:
            self.updates.drop_pending()
        self.updates.set_allowed(allowed_updates)
        self.url = url
        self.secret_token = secret_token
        self.max_connections = max_connections
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        self.last_error_date = None
        self.last_error_message = None
        self._client = httpx.AsyncClient(
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=max_connections),
            trust_env=False,
        )
        self._queues = [asyncio.Queue() for _ in range(max_connections)]
        self._tasks = [asyncio.create_task(self._work(queue)) for queue in self._queues]
        self.updates.forward = self._forward
        # Whatever waited for getUpdates now goes to the webhook, in order.
        for update in list(self.updates.pending.values()):
            self._forward(update)
        for update in self.updates.redeliveries:
            self._forward(update)
        self.updates.redeliveries.clear()

    async def delete(self, *, drop_pending_updates: bool) -> None:
        await self._stop_workers()
        self.url = ""
        self.secret_token = None
        if drop_pending_updates:
            self.updates.drop_pending()
        self.updates.signal.fire()

    def info(self) -> Json:
        info: Json = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.allowed_updates is not None:
                info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info

    async def close(self) -> None:
        await self._stop_workers()

    def _forward(self, update: Json) -> None:
        if update_type(update) not in self.updates.allowed:
            self.updates.acknowledge(update["update_id"])
            return
        queue = self._queues[_chat_key(update) % len(self._queues)]
        queue.put_nowait(update)

    async def _stop_workers(self) -> None:
        self.updates.forward = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._queues = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _work(self, queue: asyncio.Queue[Json]) -> None:
        while True:
            update = await queue.get()
            await self._deliver(update)

    async def _deliver(self, update: Json) -> None:
        assert self._client is not None
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        delay = self.retry_delay
        while True:
            self.attempts += 1
            try:
                response = await self._client.post(self.url, content=body, headers=headers)
            except httpx.ConnectError:
                error = "Connection refused"
            except httpx.TimeoutException:
                error = "Read timeout expired"
            except httpx.HTTPError as exc:
                error = f"Connection failed: {type(exc).__name__}"
            else:
                if 200 <= response.status_code < 300:
                    self.delivered += 1
                    self.updates.acknowledge(update["update_id"])
                    return
                error = (
                    f"Wrong response from the webhook: {response.status_code} "
                    f"{response.reason_phrase}"
                )
            self.last_error_date = int(self.clock())
            self.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)
