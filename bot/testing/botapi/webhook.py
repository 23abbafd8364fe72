"""Webhook mode: POST each update to the bot's URL with the secret header, retrying until 2xx.

Like Telegram: up to `max_connections` deliveries at once, each over its own keep-alive
connection, but never two updates of the same chat at once; a chat's next update goes out only
after the previous one was answered with a 2xx, so the bot sees each chat's updates in order.
Chats take turns (a chat with many waiting updates does not hold back the others).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from .updates import UpdateStore, update_type

Json = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _chat_key(update: Json) -> int:
    """The chat an update belongs to (its sender when it has no chat; else its own id)."""
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


class _Connection:
    """One keep-alive HTTP/1.1 connection to the webhook URL (what one Telegram worker holds).

    A small client of our own instead of httpx: the deliveries are the loopback server's main
    work in webhook mode, and with a pool of 40 httpx looks over every connection per request."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        netloc = parts.netloc.rsplit("@", 1)[-1]
        self._head = f"POST {self.target} HTTP/1.1\r\nHost: {netloc}\r\n".encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """Send one request; returns the status code and reason phrase."""
        reused = self._usable()
        try:
            return await self._post_once(body, headers)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        # The server closed the idle connection as we sent: once more on a fresh one.
        return await self._post_once(body, headers)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    def _usable(self) -> bool:
        reader, writer = self._reader, self._writer
        if reader is None or writer is None or writer.is_closing() or reader.at_eof():
            self.close()
            return False
        return True

    async def _post_once(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        if not self._usable():
            context = ssl.create_default_context() if self.tls else None
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port, ssl=context
            )
        reader, writer = self._reader, self._writer
        assert reader is not None and writer is not None
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(
            b"%s%sContent-Length: %d\r\n\r\n%s" % (self._head, lines.encode(), len(body), body)
        )
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        _, code, *reason = status_line.split(" ", 2)
        fields: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if sep:
                fields[name.strip().lower()] = value.strip()
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
        else:
            await reader.read()  # the body runs until the server closes
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(code), reason[0] if reason else ""


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
        # chat -> its undelivered updates in order; a chat is in `_ready` when its first update
        # may go out (none of its updates is on the way).
        self._chats: dict[int, deque[Json]] = {}
        self._ready: asyncio.Queue[int] = asyncio.Queue()
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
        self._tasks = [
            asyncio.create_task(self._work(_Connection(url))) for _ in range(max_connections)
        ]
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
        key = _chat_key(update)
        waiting = self._chats.get(key)
        if waiting is None:
            self._chats[key] = deque([update])
            self._ready.put_nowait(key)
        else:
            waiting.append(update)  # goes out after the chat's earlier ones

    async def _stop_workers(self) -> None:
        self.updates.forward = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        # Undelivered updates stay pending in the update store; set() forwards them again.
        self._chats = {}
        self._ready = asyncio.Queue()

    async def _work(self, connection: _Connection) -> None:
        chats, ready = self._chats, self._ready
        try:
            while True:
                key = await ready.get()
                waiting = chats[key]
                await self._deliver(connection, waiting[0])
                waiting.popleft()
                if waiting:
                    ready.put_nowait(key)  # behind the chats already waiting: they take turns
                else:
                    del chats[key]
        finally:
            connection.close()

    async def _deliver(self, connection: _Connection, update: Json) -> None:
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        delay = self.retry_delay
        while True:
            self.attempts += 1
            try:
                async with asyncio.timeout(self.timeout):
                    status, reason = await connection.post(body, headers)
            except ConnectionRefusedError:
                error = "Connection refused"
            except TimeoutError:
                connection.close()  # a late answer must not be read as the next one's
                error = "Read timeout expired"
            except (OSError, ValueError, EOFError, asyncio.LimitOverrunError) as exc:
                connection.close()
                error = f"Connection failed: {type(exc).__name__}"
            else:
                if 200 <= status < 300:
                    self.delivered += 1
                    self.updates.acknowledge(update["update_id"])
                    return
                error = f"Wrong response from the webhook: {status} {reason}"
            self.last_error_date = int(self.clock())
            self.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_delay)
