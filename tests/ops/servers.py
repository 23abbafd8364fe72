"""Helpers for the operations tests: real `wegwijs` processes on 127.0.0.1, and a stand-in for
Telegram's webhook delivery (POST with the secret header, again after a 503, like Telegram)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.channels.telegram.webhook import SECRET_HEADER, webhook_path

REPO = Path(__file__).resolve().parents[2]
SECRET = "ops-test-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(**overrides: str) -> dict[str, str]:
    """The environment of a child process: ours without Wegwijs settings, plus `overrides`."""
    prefixes = ("TELEGRAM_", "WEBHOOK_", "DATABASE_", "RASA_", "TRANSLATOR", "PROMETHEUS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        LOG_JSON="1",
        LOG_LEVEL="INFO",
        HOST="127.0.0.1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


@dataclass
class Process:
    """A child process whose stderr (the JSON log) goes to a file."""

    popen: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (other lines are kept as {"raw": ...})."""
        out: list[dict[str, Any]] = []
        for line in self.log.read_text("utf-8", errors="replace").splitlines():
            try:
                parsed = json.loads(line)
            except ValueError:
                parsed = {"raw": line}
            out.append(parsed if isinstance(parsed, dict) else {"raw": line})
        return out

    def stop(self, timeout: float = 20.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return int(self.popen.returncode)


def spawn(args: list[str], env: Mapping[str, str], log: Path) -> Process:
    with log.open("wb") as stderr:
        popen = subprocess.Popen(
            args,
            cwd=REPO,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return Process(popen, log)


@contextlib.asynccontextmanager
async def stopped_at_exit(processes: list[Process]) -> AsyncIterator[list[Process]]:
    """SIGTERM at the end, waited for in a thread: the loopback servers of the test process
    must keep answering while the workers shut down."""
    try:
        yield processes
    finally:
        await asyncio.gather(*(asyncio.to_thread(process.stop) for process in processes))


async def wait_for_log(process: Process, message: str, count: int, timeout: float = 90.0) -> None:  # noqa: ASYNC109
    """Until the process has logged `message` `count` times (e.g. every worker started)."""
    async with asyncio.timeout(timeout):
        while sum(line.get("message") == message for line in process.lines()) < count:
            if process.popen.poll() is not None:
                raise AssertionError(process.log.read_text("utf-8", errors="replace")[-3000:])
            await asyncio.sleep(0.1)


async def wait_ready(process: Process, timeout: float = 90.0) -> dict[str, Any]:  # noqa: ASYNC109
    """Poll /readyz until it answers 200; fail with the log's tail if the process dies."""
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        async with asyncio.timeout(timeout):
            while True:
                if process.popen.poll() is not None:
                    tail = process.log.read_text("utf-8", errors="replace")[-3000:]
                    raise AssertionError(f"{process.popen.args} exited:\n{tail}")
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(f"{process.url}/readyz")
                    if response.status_code == 200:
                        return dict(response.json())
                await asyncio.sleep(0.2)


@dataclass
class Telegram:
    """Delivers updates to the workers' webhook as Telegram does: retried until a 2xx."""

    token: str
    urls: list[str]
    secret: str = SECRET
    busy: int = 0
    """503 answers seen (an update another worker was handling at that moment)."""
    statuses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.path = webhook_path(self.token, self.secret)
        self.client = httpx.AsyncClient(timeout=60.0, trust_env=False)

    async def deliver(self, update: Mapping[str, Any], worker: int) -> int:
        url = self.urls[worker % len(self.urls)] + self.path
        for _ in range(400):
            response = await self.client.post(
                url, json=dict(update), headers={SECRET_HEADER: self.secret}
            )
            self.statuses.append(response.status_code)
            if response.status_code == 503:
                self.busy += 1
                await asyncio.sleep(0.05)  # Telegram waits longer; the test need not
                continue
            return response.status_code
        raise AssertionError(f"update {update['update_id']} was never accepted")

    async def aclose(self) -> None:
        await self.client.aclose()
