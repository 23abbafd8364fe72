"""No secret is ever logged: the real `wegwijs serve` (webhook and dashboard) and `wegwijs
telegram` (long polling) as processes, with LOG_JSON=1 and LOG_LEVEL=DEBUG.

The serve run: a participant types planted BSNs, IBANs, card numbers and passwords, books an
appointment and writes a password into the words for staff, asks for their data; a staff member
logs in to the dashboard (once with a wrong password), uses a session and an API token; strangers
post to the webhook without the secret header, with a wrong one, and to a wrong path. Then the
whole log (every line JSON) is searched for every secret: the bot token (also inside URLs), the
webhook secret and its secret path, SECRET_KEY, passwords, the session cookie, the API token and
the planted values.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text as sql

from bot.app import load_everything
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_path
from bot.store.db import Database
from bot.testing.botapi import BotApiServer, Participant
from tests.hostile.support import (
    child_env,
    load_corpus,
    offered,
    planted_secrets,
    secrets_in,
    settled,
    spawn,
    wait_for_log,
    wait_offer,
    walk_to_confirmation,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

# A token shaped like BotFather's (35 characters after the colon), so the log filter's pattern
# for tokens applies as it would in production.
TOKEN = "7312345678:AAHk3v9Qx2LmN8pR4sT6uV0wY1zB5cD7eF9"
WEBHOOK_SECRET = "hostile_Webhook-Secret_4f1c9a7e2b6d"
SECRET_KEY = "hostile-dashboard-key-8c2e7f1a9b3d5c6e0f4a2b7d9e1c3f5a"
PASSWORD = "Bibliotheek!Wachtwoord-2026"
WRONG_PASSWORD = "Raden!Mislukt-1234"
EMAIL = "beheer@wegwijs.test"
CHAT = 870_001
WORDS = "Het lukt niet. Mijn bsn is 123456782 en wachtwoord: Geheim!Wachtwoord42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Run:
    """What one process run wrote, and the secrets that were in play."""

    log: str
    secrets: dict[str, str] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    refused_reached: list[str] = field(default_factory=list)
    non_json: list[str] = field(default_factory=list)

    def leaked(self, *names: str) -> dict[str, list[str]]:
        """For each named secret found in the log: the first lines holding it."""
        found = {}
        for name in names:
            value = self.secrets[name]
            if secrets_in(self.log, [value]):
                lines = [line for line in self.log.splitlines() if secrets_in(line, [value])]
                found[name] = [line[:300] for line in lines[:3]]
        return found


def planted() -> dict[str, str]:
    return {f"planted {n}": value for n, value in enumerate(planted_secrets(load_corpus()))}


async def secret_texts(people: Participant) -> None:
    """Every corpus text with a planted secret (typed ones, forwarded fake messages), each as
    the first message of a chat of its own: a chat gets about one message a second from the
    bot, so all in one chat would take a minute."""

    async def one(number: int, text: str) -> None:
        chat = await people.private_chat(CHAT + 1 + number, f"Deelnemer {number}")
        await people.send_text(chat, text)
        await people.wait_for_reply(chat, timeout=60)

    items = [item for item in load_corpus() if item.get("secret") and "text" in item]
    await asyncio.gather(*(one(n, str(item["text"])) for n, item in enumerate(items)))


def users_command(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "users", *args],
        input=stdin.encode(),
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return done.stdout.decode()


async def dashboard_visit(base: str, api_token: str, run: Run) -> None:
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as client:
        form = await client.get("/inloggen")
        csrf = _CSRF.search(form.text)
        assert csrf, form.text[:500]
        wrong = await client.post(
            "/inloggen",
            data={"email": EMAIL, "password": WRONG_PASSWORD, "csrf_token": csrf.group(1)},
        )
        assert wrong.status_code == 401
        csrf = _CSRF.search(wrong.text)
        assert csrf
        right = await client.post(
            "/inloggen", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf.group(1)}
        )
        assert right.status_code == 303, right.text[:500]
        session = client.cookies.get("wegwijs_session")
        assert session
        run.secrets["session cookie"] = session
        run.secrets["session secret"] = session.rsplit(".", 1)[0]
        home = await client.get(right.headers["location"], follow_redirects=True)
        assert home.status_code == 200
        api = await client.get("/api/v1/branches", headers={"Authorization": f"Bearer {api_token}"})
        assert api.status_code == 200, api.text[:300]


async def refused_posts(base: str, server: BotApiServer, chat: int, run: Run) -> None:
    """Posts to the webhook that are not from Telegram: refused before any turn."""
    path = webhook_path(TOKEN, WEBHOOK_SECRET)
    state = server.backend.state.chats[chat]
    update: dict[str, object] = {
        "update_id": 995_000_000,
        "message": {
            "message_id": 99_001,
            "date": 1_790_000_000,
            "chat": state.chat,
            "from": state.user,
            "text": "/mydata",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    attempts = {
        "no header": (path, {}),
        "wrong header": (path, {SECRET_HEADER: "guessed-secret"}),
        "secret in another case": (path, {SECRET_HEADER: WEBHOOK_SECRET.upper()}),
        "wrong path": ("/telegram/" + "0" * 40, {SECRET_HEADER: WEBHOOK_SECRET}),
    }
    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as client:
        for number, (name, (where, headers)) in enumerate(attempts.items(), start=1):
            update["update_id"] = 995_000_000 + number
            response = await client.post(where, json=update, headers=headers)
            run.refusals[name] = response.status_code


async def serve_run(tmp: Path) -> Run:
    run = Run(log="", secrets=planted())
    database_url = f"sqlite+aiosqlite:///{tmp / 'wegwijs.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with BotApiServer(token=TOKEN, webhook_retry_delay=0.01) as server:
        env = child_env(
            DATABASE_URL=database_url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            WEBHOOK_URL=base,
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            SECRET_KEY=SECRET_KEY,
            PORT=str(port),
            LOG_LEVEL="DEBUG",
        )
        await asyncio.to_thread(
            users_command,
            ["add", "--email", EMAIL, "--role", "admin", "--password-stdin"],
            env,
            tmp,
            PASSWORD + "\n",
        )
        printed = await asyncio.to_thread(
            users_command, ["token", "--email", EMAIL, "--name", "hostile"], env, tmp
        )
        api_token = max(printed.split(), key=len)
        run.secrets.update(
            {
                "bot token": TOKEN,
                "bot token secret": TOKEN.split(":", 1)[1],
                "webhook secret": WEBHOOK_SECRET,
                "webhook path": webhook_path(TOKEN, WEBHOOK_SECRET).rsplit("/", 1)[1],
                "SECRET_KEY": SECRET_KEY,
                "password": PASSWORD,
                "wrong password": WRONG_PASSWORD,
                "API token": api_token,
            }
        )
        child = spawn(["serve"], env, tmp / "serve.log", tmp)
        try:
            await wait_for_log(child, "telegram-webhook started")
            await wait_for_log(child, "dashboard started")
            people = server.participant
            chat = await people.private_chat(CHAT, "Geheim")
            question = await walk_to_confirmation(people, chat)
            confirm = offered(question, "confirm")
            assert confirm is not None
            before = len(people.bot_messages(chat))
            await people.press_button(chat, question.message_id, confirm)
            await wait_offer(people, chat, "words_skip", after=before)
            before = len(people.bot_messages(chat))
            await people.send_text(chat, WORDS)
            await people.wait_until(chat, lambda: len(people.bot_messages(chat)) > before)
            await secret_texts(people)
            files = len(people.documents(chat))
            await people.send_command(chat, "mydata")
            await people.wait_until(chat, lambda: len(people.documents(chat)) > files, timeout=60)
            await dashboard_visit(base, api_token, run)
            await refused_posts(base, server, chat, run)
            # Had a refused post reached the assistant, its /mydata would be answered first.
            nl = load_everything()[2].texts("nl")
            files = len(people.documents(chat))
            await settled(people, chat, nl("help.text"))
            if len(people.documents(chat)) != files:
                run.refused_reached.append("a refused /mydata was answered")
            db = Database(database_url)
            try:
                async with db.engine.connect() as connection:
                    rows = await connection.execute(
                        sql("SELECT update_id FROM processed_updates WHERE update_id > 995000000")
                    )
                    run.refused_reached += [f"update {u} was claimed" for u in rows.scalars()]
            finally:
                await db.close()
        finally:
            await asyncio.to_thread(child.stop)
        run.log = child.text()
        run.non_json = [line.get("raw", "")[:200] for line in child.json_lines() if "raw" in line]
    return run


async def polling_run(tmp: Path) -> Run:
    run = Run(log="", secrets=planted())
    run.secrets.update({"bot token": TOKEN, "bot token secret": TOKEN.split(":", 1)[1]})
    async with BotApiServer(token=TOKEN) as server:
        env = child_env(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'polling.db'}",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=server.base_url,
            LOG_LEVEL="DEBUG",
        )
        child = spawn(["telegram"], env, tmp / "telegram.log", tmp)
        try:
            await wait_for_log(child, "started (long polling)")
            people = server.participant
            chat = await people.private_chat(CHAT, "Geheim")
            await people.send_command(chat, "start")
            await wait_offer(people, chat, "lang", "nl")
            await secret_texts(people)
        finally:
            await asyncio.to_thread(child.stop)
        run.log = child.text()
    return run


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    # One process run for the checks below; asyncio.run because the fixture outlives one test.
    yield asyncio.run(serve_run(tmp_path_factory.mktemp("serve")))


@pytest.fixture(scope="module")
def polling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    yield asyncio.run(polling_run(tmp_path_factory.mktemp("polling")))


def test_the_webhook_refuses_requests_without_the_secret(serve: Run) -> None:
    assert serve.refusals == {
        "no header": 403,
        "wrong header": 403,
        "secret in another case": 403,
        "wrong path": 404,
    }
    assert serve.refused_reached == [], "a refused request reached the assistant"


def test_the_log_is_json_lines(serve: Run) -> None:
    assert '"level": "debug"' in serve.log, "LOG_LEVEL=DEBUG was in force"
    assert "telegram-webhook started" in serve.log and "dashboard started" in serve.log
    assert serve.non_json == []


def test_no_typed_secret_is_logged_by_serve(serve: Run) -> None:
    assert serve.leaked(*planted()) == {}


def test_no_dashboard_secret_is_logged(serve: Run) -> None:
    names = ("SECRET_KEY", "password", "wrong password", "session cookie", "session secret")
    assert serve.leaked(*names, "API token") == {}


def test_the_bot_token_is_never_logged_not_even_in_urls(serve: Run) -> None:
    assert serve.leaked("bot token", "bot token secret") == {}


def test_the_webhook_secret_and_its_path_are_never_logged(serve: Run) -> None:
    assert serve.leaked("webhook secret", "webhook path") == {}


def test_no_typed_secret_is_logged_by_long_polling(polling: Run) -> None:
    assert polling.leaked(*planted()) == {}


def test_the_bot_token_is_not_logged_by_long_polling(polling: Run) -> None:
    assert polling.leaked("bot token", "bot token secret") == {}
