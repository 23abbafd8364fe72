"""Our Bot API HTTP client against a plain HTTP server on loopback: keep-alive connections that
the server closes, answers that come too late, chunked answers, and proxies left to PTB's client."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from telegram.error import TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.request import BotApiRequest, telegram_request


@dataclass
class FakeApi:
    """Answers each POST with {"ok": true, "result": <the request's "n">}; misbehaves on cue."""

    port: int = 0
    connections: int = 0
    bodies: list[dict[str, object]] = field(default_factory=list)
    close_after: set[int] = field(default_factory=set)
    """Request numbers after whose answer the server closes the connection (idle timeout)."""
    chunked: set[int] = field(default_factory=set)
    hold: dict[int, asyncio.Event] = field(default_factory=dict)
    """Request numbers answered only once their event is set."""
    interim: set[int] = field(default_factory=set)
    """Request numbers answered with a "100 Continue" first."""
    unframed: set[int] = field(default_factory=set)
    """Request numbers answered without a length, ended by closing the connection."""
    server_closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = json.loads(await reader.readexactly(length))
                self.bodies.append(body)
                number = body["n"]
                if number in self.hold:
                    await self.hold[number].wait()
                answer = json.dumps({"ok": True, "result": number}).encode()
                if number in self.interim:
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    await writer.drain()
                    await asyncio.sleep(0.05)
                if number in self.unframed:
                    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + answer)
                    await writer.drain()
                    break
                if number in self.chunked:
                    half = len(answer) // 2
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n"
                        % (half, answer[:half], len(answer) - half, answer[half:])
                    )
                else:
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(answer), answer)
                    )
                await writer.drain()
                if number in self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            await writer.wait_closed()
            self.server_closed.set()


@pytest.fixture
async def api() -> AsyncIterator[FakeApi]:
    fake = FakeApi()
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    async with server:
        yield fake


@contextlib.asynccontextmanager
async def client(
    api: FakeApi, pool_size: int, method: str = "sendMessage"
) -> AsyncIterator[tuple[BotApiRequest, str]]:
    """Our client, started, and the URL of a Bot API method on the fake server."""
    request = BotApiRequest(pool_size=pool_size)
    await request.initialize()
    try:
        yield request, f"http://127.0.0.1:{api.port}/botTOKEN/{method}"
    finally:
        await request.shutdown()


def numbered(number: int) -> RequestData:
    return RequestData(
        [
            RequestParameter.from_input("n", number),
            RequestParameter.from_input("reply_markup", {"inline_keyboard": [[{"text": "Ja"}]]}),
        ]
    )


async def test_answers_over_kept_connections_and_a_closed_one_is_replaced(api: FakeApi) -> None:
    async with client(api, 2) as (request, url):
        api.close_after.add(2)
        api.chunked.add(3)
        assert [await request.post(url, numbered(n)) for n in (1, 2)] == [1, 2]
        assert api.connections == 1
        # The server has closed the idle connection; the next request gets a fresh one.
        while request.idle_connections:  # noqa: ASYNC110  (until the close is seen)
            await asyncio.sleep(0.01)
        assert await request.post(url, numbered(3)) == 3
        assert await request.post(url, numbered(4)) == 4
        assert api.connections == 2
        # Native JSON: the keyboard arrives as an object, not as a string in a form field.
        assert api.bodies[0]["reply_markup"] == {"inline_keyboard": [[{"text": "Ja"}]]}


async def test_a_late_answer_is_never_taken_for_the_next_one(api: FakeApi) -> None:
    async with client(api, 1) as (request, url):
        api.hold[1] = asyncio.Event()
        with pytest.raises(TimedOut):
            await request.post(url, numbered(1), read_timeout=0.2, write_timeout=0)
        api.hold[1].set()  # the answer to 1 comes now, on the connection given up
        assert await request.post(url, numbered(2)) == 2
        assert await request.post(url, numbered(3)) == 3


async def test_a_cancelled_request_leaves_the_pool_usable(api: FakeApi) -> None:
    async with client(api, 1, "sendChatAction") as (request, url):
        api.hold[1] = asyncio.Event()
        typing = asyncio.create_task(request.post(url, numbered(1)))
        while not api.bodies:  # noqa: ASYNC110  (the request is on its way)
            await asyncio.sleep(0.01)
        typing.cancel()  # as "typing…" is when the reply is ready
        with pytest.raises(asyncio.CancelledError):
            await typing
        api.hold[1].set()
        assert await request.post(url, numbered(2)) == 2


def test_with_a_proxy_in_the_environment_ptbs_client_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    assert isinstance(telegram_request(8), BotApiRequest)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    assert isinstance(telegram_request(8), HTTPXRequest)


def test_answers_on_uvloop_the_loop_serve_and_telegram_run_on() -> None:
    # uvloop's transports are no asyncio.Transport subclasses: an isinstance check there once
    # made every Bot API call fail under `wegwijs serve`.
    import uvloop

    async def exchange() -> list[object]:
        fake = FakeApi()
        server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
        fake.port = server.sockets[0].getsockname()[1]
        request = BotApiRequest(pool_size=1)
        url = f"http://127.0.0.1:{fake.port}/botTOKEN/sendMessage"
        async with server:
            await request.initialize()
            try:
                fake.chunked.add(2)
                return [await request.post(url, numbered(n)) for n in (1, 2, 3)]
            finally:
                await request.shutdown()

    assert uvloop.run(exchange()) == [1, 2, 3]


def test_long_running_processes_choose_uvloop_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import runtime

    async def running_loop() -> str:
        return type(asyncio.get_running_loop()).__module__

    monkeypatch.delenv("EVENT_LOOP", raising=False)
    assert runtime.run(running_loop()).startswith("uvloop")
    monkeypatch.setenv("EVENT_LOOP", "asyncio")
    assert runtime.run(running_loop()).startswith("asyncio")


async def test_a_connection_the_server_just_closed_is_not_written_into(api: FakeApi) -> None:
    # The server's close can still be unread on the socket when the next request comes.
    async with client(api, 1) as (request, url):
        for number in range(1, 11):
            api.close_after.add(number)
            api.server_closed.clear()
            assert await request.post(url, numbered(number)) == number
            await api.server_closed.wait()
        assert api.connections == 10


async def test_interim_and_close_delimited_answers_go_to_their_own_request(api: FakeApi) -> None:
    async with client(api, 1) as (request, url):
        api.interim.add(1)
        api.unframed.add(3)
        assert [await request.post(url, numbered(n)) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
