"""The hostile-input corpus through the real assistant: no crash, a deliberate answer, nothing
sensitive stored, the database consistent afterwards."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql

from bot.app import App
from bot.conversation.callbacks import MAX_BYTES
from bot.conversation.inbound import Command, Inbound, Media, Press, Start, Text
from bot.conversation.state import ConversationState
from tests.support.driver import ChatDriver

CORPUS = Path(__file__).with_name("corpus.jsonl")
TABLES = ("participants", "conversation_states", "task_progress", "events")


def load_corpus() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").split("\n") if line]


def inbound_for(item: dict[str, Any]) -> Inbound:
    kind = item["kind"]
    if kind == "callback":
        return Press(str(item["data"]))
    if kind == "media":
        return Media(str(item["media"]))
    if kind == "command":
        name, _, args = str(item["command"])[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        return Start(payload=args) if name == "start" else Command(name, args)
    return Text(str(item["text"]))


def test_the_corpus_is_big_and_varied() -> None:
    items = load_corpus()
    assert len(items) >= 300
    kinds = {item["kind"] for item in items}
    assert {
        "long",
        "control",
        "bidi",
        "emoji",
        "markup",
        "sql",
        "format",
        "secret",
        "callback",
        "command",
        "media",
    } <= kinds


async def test_every_hostile_input_gets_a_deliberate_answer(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    items = load_corpus()
    driver = ChatDriver(app, chat_id="hostile")
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    for item in items:
        replies = await app.assistant.handle("test", "hostile", inbound_for(item))
        assert replies, f"no answer to input {item['id']} ({item['kind']})"
        for reply in replies:
            assert reply.text.strip(), f"empty reply to input {item['id']}"
            for button in reply.all_buttons():
                assert len(button.data.encode()) <= MAX_BYTES
        # Every input in a fresh chat too: first contact must survive anything.
        fresh = await app.assistant.handle("test", f"fresh-{item['id']}", inbound_for(item))
        assert fresh, f"no answer to input {item['id']} at first contact"

    async with app.db.engine.connect() as connection:
        dump = {}
        for table in TABLES:
            dump[table] = repr((await connection.execute(sql(f"SELECT * FROM {table}"))).all())
        states = (await connection.execute(sql("SELECT data FROM conversation_states"))).scalars()
        for raw in states:
            ConversationState.from_json(raw)  # every saved state still loads
        steps = (await connection.execute(sql("SELECT task_id, step_id FROM task_progress"))).all()
        for task_id, step_id in steps:
            assert app.content.tasks[task_id].step_index(step_id) is not None
    everything = "\n".join(dump.values()) + "\n" + caplog.text
    for item in items:
        secret = item.get("secret")
        if secret:
            assert str(secret) not in everything, f"planted secret of input {item['id']} was stored"


@pytest.mark.parametrize("lang", ["nl", "ar"])
async def test_a_forwarded_fake_carrying_a_secret_gets_both_warnings(app: App, lang: str) -> None:
    """A fake DigiD/Belastingdienst message with a BSN, IBAN or card number in it: first the
    secret warning (the secret is gone), then the phishing warning and guide, in the
    participant's language. The one forwarded text without a link (a real DigiD sms code) is
    not a fake and gets the secret warning only."""
    texts = app.engine.texts(lang)
    items = [i for i in load_corpus() if i["kind"] == "phishing" and i.get("secret")]
    fakes = [i for i in items if "http" in str(i["text"])]
    assert len(fakes) >= 3
    for item in items:
        driver = ChatDriver(app, chat_id=f"fake-{lang}-{item['id']}")
        await driver.start(lang=lang)
        await driver.press("consent:yes")
        await driver.press("tasks")
        await driver.say(str(item["text"]))
        keys = driver.reply_keys()
        if item in fakes:
            assert keys == ["safety.secret_removed", "safety.phishing_warning", "intro.heading"], (
                f"input {item['id']}: {keys}"
            )
            assert driver.last[1].text == texts("safety.phishing_warning")
        else:
            assert keys[0] == "safety.secret_removed" and "safety.phishing_warning" not in keys
        assert driver.last[0].text == texts("safety.secret_removed")
        assert str(item["secret"]) not in driver.text()
