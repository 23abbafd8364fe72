"""Helpers for the hostile suites: the corpus as real Telegram updates, participants walked to the
middle of a task, every table and log line searched for planted secrets, and the consistency of
what a turn writes (state, progress, bookings, reminders, update claims)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.appointments.planning import appointment_reminders
from bot.appointments.policy import policy_of
from bot.content.loader import Content
from bot.conversation.callbacks import MAX_BYTES, decode
from bot.conversation.state import ConversationState
from bot.testing.botapi import BotApiServer, ChatMessage, Participant
from bot.testing.botapi.formatting import utf16_len
from bot.testing.botapi.media import MEDIA_KINDS
from tests.hostile.make_corpus import BSN, CARD, IBAN, PASSWORD, PIN

Json = dict[str, Any]
CORPUS = Path(__file__).with_name("corpus.jsonl")
TASK = "digid-aanvragen"
LANGUAGES = ("nl", "en", "ar", "ti", "fa", "tr", "so", "ku")
MAX_TEXT = 4096
"""Telegram's limit for one message, in UTF-16 code units after entities are parsed."""

# -- the corpus --------------------------------------------------------------------------------


def load_corpus() -> list[Json]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").split("\n") if line]


def planted_secrets(items: Iterable[Json]) -> list[str]:
    """Every value that must never be stored or logged: the corpus' markers and the raw values."""
    found = {str(item["secret"]) for item in items if item.get("secret")}
    found |= {BSN, IBAN, PASSWORD, PIN, CARD, CARD.replace(" ", ""), "NL91 ABNA 0417 1643 00"}
    return sorted(found)


def secrets_in(haystack: str, secrets: Sequence[str]) -> list[str]:
    """The planted secrets that occur in `haystack`.

    A secret counts only with no letter or digit right beside it, as it stands in what a
    participant types: so a PIN such as 48213 is not "found" inside a Unix timestamp, and 0417
    not inside a random hex token or the escape of a Cyrillic letter (\\u0417). Loopback ports
    are taken out first for the same reason."""
    haystack = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", haystack)
    hits = []
    for secret in secrets:
        pattern = re.escape(secret)
        if secret[:1].isalnum():
            pattern = r"(?<![0-9A-Za-z])" + pattern
        if secret[-1:].isalnum():
            pattern += r"(?![0-9A-Za-z])"
        if re.search(pattern, haystack):
            hits.append(secret)
    return hits


def command_entities(text: str) -> list[Json]:
    head = text.split(" ", 1)[0]
    if re.fullmatch(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]+)?", head):
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(head)}]
    return []


def _extra_media(kind: str) -> Json:
    """Message fields Telegram sends that the loopback server's send_media does not build."""
    place = {"latitude": 52.2551, "longitude": 6.1639}
    if kind == "venue":
        return {
            "location": place,
            "venue": {"location": place, "title": "Bibliotheek", "address": "Brink 1"},
        }
    if kind == "game":
        photo = {"file_id": "g1", "file_unique_id": "g1u", "width": 90, "height": 90}
        return {"game": {"title": "Quiz", "description": "Een spel", "photo": [photo]}}
    if kind == "story":
        return {"story": {"chat": {"id": 42, "type": "channel", "title": "Nieuws"}, "id": 7}}
    # A content kind from a newer Bot API than this PTB knows: it arrives as an unknown field.
    return {"hologram": {"id": "h1", "size": 3}}


async def send_item(
    server: BotApiServer, chat: int, item: Json, message_id: int, from_user: int | None = None
) -> Json:
    """Deliver one corpus input to the bot as the Update Telegram would send; returns it.

    Callback data goes out as a modified client could send it: on `message_id` (the
    participant's current step), whatever the data says. `from_user`: who writes in a group."""
    people = server.participant
    kind = item["kind"]
    if kind == "callback":
        data = str(item["data"])
        return await people.press_button(chat, message_id, data, forge=True, from_user=from_user)
    if kind == "command":
        command = str(item["command"])
        entities = command_entities(command)
        return await people.send_text(chat, command, entities=entities, from_user=from_user)
    if kind == "media":
        media = str(item["media"])
        if media in MEDIA_KINDS:
            return await people.send_media(chat, media, from_user=from_user)  # type: ignore[arg-type]
        state = server.backend.state
        message = {
            "message_id": 5_000_000 + int(item["id"]),
            "date": int(time.time()),
            "chat": state.chats[chat].chat,
            "from": state.users[from_user] if from_user else state.chats[chat].user,
            **_extra_media(media),
        }
        return await people.push_update("message", message)
    return await people.send_text(chat, str(item["text"]), from_user=from_user)


def silent_by_design(item: Json) -> bool:
    """Inputs the adapter answers with deliberate silence: `convert.py` ignores a message with
    no text and no content kind it knows, as it ignores service messages."""
    return item["kind"] == "media" and item["media"] == "unknown"


# -- walking a participant on the fake Telegram ------------------------------------------------


def offered(message: ChatMessage, action: str, argument: str = "") -> str | None:
    """The callback data of the message's button for `action` (and argument), if it has one."""
    for data in message.callback_data:
        callback = decode(data)
        if callback and callback.action == action and callback.argument.startswith(argument):
            return data
    return None


def newest_offer(people: Participant, chat: int, action: str, argument: str = "") -> ChatMessage:
    """The newest bot message whose buttons include `action`."""
    for message in reversed(people.bot_messages(chat)):
        if offered(message, action, argument):
            return message
    texts = [m.text for m in people.bot_messages(chat)[-3:]]
    raise LookupError(f"chat {chat}: no {action}:{argument} button; last messages {texts}")


async def wait_offer(
    people: Participant,
    chat: int,
    action: str,
    argument: str = "",
    after: int = 0,
    timeout: float = 20.0,  # noqa: ASYNC109
) -> ChatMessage:
    """Wait until a bot message after the first `after` offers `action` (newest first)."""

    def ready() -> ChatMessage | None:
        for message in reversed(people.bot_messages(chat)[after:]):
            if offered(message, action, argument):
                return message
        return None

    try:
        return await people.wait_until(chat, ready, timeout=timeout)
    except TimeoutError:
        texts = [m.text for m in people.bot_messages(chat)[-3:]]
        raise TimeoutError(f"chat {chat}: no {action}:{argument} offer; got {texts}") from None


async def press(
    people: Participant, chat: int, action: str, argument: str = "", next_action: str = ""
) -> ChatMessage | None:
    """Press the newest shown button for `action`; wait for a message offering `next_action`."""
    message = newest_offer(people, chat, action, argument)
    data = offered(message, action, argument)
    assert data is not None
    before = len(people.bot_messages(chat))
    await people.press_button(chat, message.message_id, data)
    if not next_action:
        return None
    return await wait_offer(people, chat, next_action, after=before)


async def walk_to_step(people: Participant, chat: int, lang: str) -> ChatMessage:
    """A new participant: deep link into the DigiD task, language, consent, first step."""
    await people.send_command(chat, "start", f"t_{TASK}")
    await wait_offer(people, chat, "lang", lang)
    await press(people, chat, "lang", lang, next_action="consent")
    await press(people, chat, "consent", "yes", next_action="start")
    step = await press(people, chat, "start", TASK, next_action="done")
    assert step is not None
    return step


async def walk_to_confirmation(people: Participant, chat: int) -> ChatMessage:
    """/start, Dutch, consent, /appointment, then the first library, branch and free time that
    the real libraries.yml offers, up to the question "shall I book it?"."""
    await people.send_command(chat, "start")
    for action, argument, wanted in (
        ("lang", "nl", "consent"),
        ("consent", "yes", "tasks"),
    ):
        await wait_offer(people, chat, action, argument)
        pressed_at = await _press_newest(people, chat, action, argument)
        await wait_offer(people, chat, wanted, after=pressed_at)
    before = len(people.bot_messages(chat))
    await people.send_command(chat, "appointment")
    tried: set[str] = set()
    for _ in range(12):
        message = await newest_with_buttons(people, chat, before)
        if offered(message, "confirm"):
            return message
        before = len(people.bot_messages(chat))
        data = next(
            (
                data
                for action in ("slot", "branch", "library", "book")
                for data in message.callback_data
                if data.split(":")[1:2] == [action] and data not in tried
            ),
            None,
        )
        if data is None:  # no free time at this branch: another branch
            data = offered(message, "branches") or offered(message, "library")
        assert data is not None, f"stuck on {message.text!r} {message.callback_data}"
        tried.add(data)
        await people.press_button(chat, message.message_id, data)
    raise AssertionError("no confirmation question after twelve presses")


async def settled(people: Participant, chat: int, help_text: str) -> int:
    """Send /help and wait for its answer: a chat's updates are handled in order, so whatever
    came before (a redelivered confirmation included) is done. Returns where /help's answer is."""
    before = len(people.bot_messages(chat))
    await people.send_command(chat, "help")

    def help_at() -> int | None:
        for index, message in enumerate(people.bot_messages(chat)):
            if index >= before and message.text == help_text:
                return index
        return None

    return await people.wait_until(chat, help_at, timeout=60)


async def _press_newest(people: Participant, chat: int, action: str, argument: str) -> int:
    for message in reversed(people.bot_messages(chat)):
        data = offered(message, action, argument)
        if data:
            before = len(people.bot_messages(chat))
            await people.press_button(chat, message.message_id, data)
            return before
    raise LookupError(f"no {action}:{argument} button")


async def newest_with_buttons(people: Participant, chat: int, after: int) -> ChatMessage:
    def ready() -> ChatMessage | None:
        new = people.bot_messages(chat)[after:]
        return new[-1] if new and new[-1].callback_data else None

    return await people.wait_until(chat, ready, timeout=30)


# -- what the bot sent -------------------------------------------------------------------------


def sent_problems(messages: Iterable[ChatMessage]) -> list[str]:
    """Messages Telegram would refuse or cut: too long, callback data over 64 bytes, empty."""
    problems = []
    for message in messages:
        text = message.text or ""
        if message.kind == "text" and not text.strip():
            problems.append(f"message {message.message_id} is empty")
        if utf16_len(text) > MAX_TEXT:
            problems.append(f"message {message.message_id} has {utf16_len(text)} characters")
        for data in message.callback_data:
            if len(data.encode()) > MAX_BYTES:
                problems.append(f"message {message.message_id}: callback data {data!r} too long")
    return problems


def refused_calls(server: BotApiServer) -> list[str]:
    """Bot API calls the server refused, except clearing a keyboard that is already gone (the
    sender ignores that on purpose: the participant may have deleted the message)."""
    return [
        f"{call.method} -> {call.status} (chat {call.chat_id})"
        for call in server.calls.records
        if call.status != 200 and call.method != "editMessageReplyMarkup"
    ]


# -- the database ------------------------------------------------------------------------------


async def table_names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return sorted(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def dump_database(engine: AsyncEngine) -> str:
    """Every row of every table, as text: what a search for planted secrets has to look at."""
    parts = []
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for name in sorted(names):
            rows = (await connection.execute(sql(f'SELECT * FROM "{name}"'))).all()
            parts.append(f"== {name} ({len(rows)} rows)")
            parts.extend(repr(tuple(row)) for row in rows)
    return "\n".join(parts)


async def consistency_problems(engine: AsyncEngine, content: Content) -> list[str]:
    """What a half-written turn would leave behind: a participant without its state (or the
    reverse), a state that no longer loads, progress on a step that does not exist, an active
    appointment without its reminders or handover, a reminder of an appointment that is gone,
    two appointments on one seat, an update claimed and never finished."""
    problems: list[str] = []
    async with engine.connect() as connection:

        async def rows(query: str) -> list[Any]:
            return list((await connection.execute(sql(query))).all())

        for (pid,) in await rows(
            "SELECT p.id FROM participants p LEFT JOIN conversation_states s "
            "ON s.participant_id = p.id WHERE s.participant_id IS NULL"
        ):
            problems.append(f"participant {pid} has no conversation state")
        for (pid,) in await rows(
            "SELECT s.participant_id FROM conversation_states s "
            "LEFT JOIN participants p ON p.id = s.participant_id WHERE p.id IS NULL"
        ):
            problems.append(f"conversation state of missing participant {pid}")
        for pid, data in await rows("SELECT participant_id, data FROM conversation_states"):
            try:
                ConversationState.from_json(data)
            except Exception as error:  # any failure is the finding
                problems.append(f"state of participant {pid} does not load: {error!r}")
        for pid, task_id, step_id in await rows(
            "SELECT participant_id, task_id, step_id FROM task_progress"
        ):
            task = content.tasks.get(task_id)
            if task is None or task.step_index(step_id) is None:
                problems.append(f"participant {pid}: progress on unknown {task_id}/{step_id}")
        for branch, start, seat, count in await rows(
            "SELECT branch_id, starts_at, seat, count(*) FROM appointments "
            "WHERE seat IS NOT NULL GROUP BY branch_id, starts_at, seat HAVING count(*) > 1"
        ):
            problems.append(f"{count} appointments on seat {seat} at {branch} {start}")
        kinds: dict[int, set[str]] = {}
        for appointment_id, kind in await rows(
            "SELECT appointment_id, kind FROM reminders WHERE appointment_id IS NOT NULL"
        ):
            kinds.setdefault(int(appointment_id), set()).add(str(kind))
        policy = policy_of(content)
        for appointment_id, starts_at, created_at in await rows(
            "SELECT id, starts_at, created_at FROM appointments "
            "WHERE status = 'booked' AND participant_id IS NOT NULL"
        ):
            planned = appointment_reminders(_utc(starts_at), _utc(created_at), policy)
            wanted = {reminder.kind for reminder in planned}
            if kinds.get(int(appointment_id), set()) != wanted:
                problems.append(
                    f"appointment {appointment_id} has reminders "
                    f"{sorted(kinds.get(int(appointment_id), set()))}, planned {sorted(wanted)}"
                )
        for (appointment_id,) in await rows(
            "SELECT a.id FROM appointments a WHERE a.status = 'booked' "
            "AND a.participant_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM handovers h WHERE h.appointment_id = a.id)"
        ):
            problems.append(f"appointment {appointment_id} has no handover for staff")
        for reminder_id, appointment_id in await rows(
            "SELECT r.id, r.appointment_id FROM reminders r WHERE r.appointment_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = r.appointment_id)"
        ):
            problems.append(f"reminder {reminder_id} of missing appointment {appointment_id}")
        for pid, count in await rows(
            "SELECT participant_id, count(*) FROM appointments WHERE status = 'booked' "
            "AND participant_id IS NOT NULL GROUP BY participant_id HAVING count(*) > 1"
        ):
            problems.append(f"participant {pid} has {count} booked appointments")
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        if "processed_updates" in names:
            for (update_id,) in await rows(
                "SELECT update_id FROM processed_updates WHERE status <> 'done'"
            ):
                problems.append(f"update {update_id} was claimed and never finished")
    return problems


def _utc(value: Any) -> dt.datetime:
    """A time as read back by a plain SELECT: aware on PostgreSQL, text or naive on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# -- logs --------------------------------------------------------------------------------------

DEBUG_LOGGERS = (
    "",
    "bot",
    "telegram",
    "telegram.ext",
    "telegram.ext.Updater",
    "telegram.ext.Application",
    "telegram.ext.ExtBot",
    "telegram.Bot",
    "httpx",
    "httpcore",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "sqlalchemy",
    "alembic",
)
"""Everything that could write a line, at DEBUG: what an operator chasing a problem turns on."""


def everything_logged(records: Iterable[logging.LogRecord]) -> str:
    """What the production log handler would write of these records, tracebacks included.

    caplog sees every record; the handler `bot.logs.setup_logging` installs first passes each
    through `LogContextFilter`, which drops the DEBUG lines of PTB, httpx and the drivers (they
    carry whole updates) and rewrites chat ids and bot tokens. The same filter is applied here,
    to a copy of each record, so the search sees exactly what would reach the log."""
    from bot.observability.context import LogContextFilter

    guard = LogContextFilter(key=b"hostile-suite")
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = []
    for original in records:
        record = logging.makeLogRecord(dict(original.__dict__))
        if not guard.filter(record):
            continue
        try:
            lines.append(formatter.format(record))
        except Exception as error:  # a record that cannot be formatted
            lines.append(f"{record.name} UNFORMATTABLE {record.msg!r} {record.args!r} {error!r}")
        lines.append(" ".join(f"{k}={v!r}" for k, v in record.__dict__.items() if k not in _PLAIN))
    return "\n".join(lines)


_PLAIN = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def errors_logged(records: Iterable[logging.LogRecord]) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()[:300]}"
        for record in records
        if record.levelno >= logging.ERROR
    ]


@dataclass
class Timer:
    """Wall time of a phase, printed with the test's results (never asserted)."""

    started: float = 0.0

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started

    seconds: float = 0.0


# -- real `wegwijs` processes ----------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def child_env(**overrides: str) -> dict[str, str]:
    """The environment of a `wegwijs` child: ours without Wegwijs settings, JSON logs, plus
    `overrides`. The .env of the checkout is not read (the child runs in a temporary folder)."""
    prefixes = ("TELEGRAM_", "WEBHOOK_", "DATABASE_", "RASA_", "TRANSLATOR", "PROMETHEUS_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(
        LOG_JSON="1",
        LOG_LEVEL="INFO",
        HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(REPO),
        WEGWIJS_CONTENT_DIR=str(REPO),
        REMINDERS_EVERY_SECONDS="0",
    )
    env.update(overrides)
    return env


@dataclass
class Child:
    """A `wegwijs` process whose stdout and stderr (the log) go to a file."""

    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def json_lines(self) -> list[Json]:
        """The log's JSON lines; any other line is kept as {"raw": line}."""
        lines = []
        for line in self.text().splitlines():
            try:
                parsed = json.loads(line)
            except ValueError:
                parsed = None
            lines.append(parsed if isinstance(parsed, dict) else {"raw": line})
        return lines

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no finally blocks, no flushing; like a power cut."""
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 20.0) -> int:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return int(self.popen.returncode)


def spawn(args: Sequence[str], env: dict[str, str], log: Path, cwd: Path) -> Child:
    """`python -m bot <args>` in `cwd` (a temporary folder, so no .env is picked up)."""
    with log.open("ab") as out:
        popen = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Child(popen, log)


async def wait_for_log(child: Child, needle: str, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Until the child's log shows `needle` (its start-up line); fails if the child dies."""
    async with asyncio.timeout(timeout):
        while needle not in child.text():
            if not child.alive():
                raise AssertionError(f"the child exited:\n{child.text()[-3000:]}")
            await asyncio.sleep(0.05)
