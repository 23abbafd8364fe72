"""Runs every conversation scenario in tests/scenarios/ against the real assistant."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import build_app
from bot.appointments.reminders import Reminders
from bot.clock import FixedClock
from bot.conversation.replies import Reply
from bot.language.bidi import strip_isolates
from bot.notify import RecordingNotifier
from bot.settings import Settings
from tests.support.driver import ChatDriver

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
async def test_scenario(path: Path, sqlite_url: str, clock: FixedClock) -> None:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings = Settings(database_url=sqlite_url)
    app = await build_app(settings, clock=clock)
    driver = ChatDriver(app, chat_id=str(scenario.get("chat", "p1")))
    notifier = RecordingNotifier()
    reminders = Reminders.for_app(app, notifier)
    try:
        for number, step in enumerate(scenario["steps"], start=1):
            where = f"{path.name} step {number} ({_describe(step)})"
            if step.get("restart"):
                await app.close()
                app = await build_app(settings, clock=clock)
                driver = ChatDriver(app, chat_id=driver.chat_id, last=driver.last)
                reminders = Reminders.for_app(app, notifier)
            await _act(driver, clock, step)
            notified: list[Reply] = []
            if step.get("reminders"):
                # One round of the reminder loop at the scenario's clock; what it sent this chat.
                before = len(notifier.sent)
                await reminders.send_due(clock.now())
                notified = [
                    reply
                    for _, chat_id, replies in notifier.sent[before:]
                    if chat_id == driver.chat_id
                    for reply in replies
                ]
            await _check(driver, step.get("expect") or {}, where)
            _check_notified(notified, (step.get("expect") or {}).get("notified"), where)
    finally:
        await app.close()


def _check_notified(notified: list[Reply], expect: dict[str, Any] | None, where: str) -> None:
    if expect is None:
        return
    keys = [reply.key for reply in notified]
    text = "\n".join(strip_isolates(reply.text) for reply in notified)
    if "count" in expect:
        assert len(notified) == expect["count"], f"{where}: notified {keys}, want {expect}"
    for key in expect.get("keys", []):
        assert key in keys, f"{where}: expected a message {key!r}, got {keys}\n{text}"
    for fragment in expect.get("says", []):
        assert fragment in text, f"{where}: expected {fragment!r} in:\n{text}"
    for fragment in expect.get("not_says", []):
        assert fragment not in text, f"{where}: did not expect {fragment!r} in:\n{text}"


def _describe(step: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in step.items() if k != "expect")


async def _act(driver: ChatDriver, clock: FixedClock, step: dict[str, Any]) -> None:
    if "advance" in step:
        clock.advance(dt.timedelta(**step["advance"]))
    if "start" in step:
        options = step["start"] or {}
        await driver.start(options.get("payload", ""), options.get("hint"), options.get("lang"))
    elif "press" in step:
        await driver.press(str(step["press"]))
    elif "press_old" in step:
        await driver.press_old(str(step["press_old"]))
    elif "raw" in step:
        await driver.raw(str(step["raw"]))
    elif "send" in step:
        await driver.say(str(step["send"]))
    elif "command" in step:
        name, _, args = str(step["command"]).partition(" ")
        await driver.command(name, args)
    elif "media" in step:
        await driver.media(str(step["media"]))
    elif "press_until" in step:
        # Walk on until a reply with `key` appears: keeps a walk-to-the-end scenario true when a
        # guide gains or loses a step.
        spec = step["press_until"]
        for _ in range(int(spec.get("max", 40))):
            await driver.press(str(spec["press"]))
            if spec["key"] in driver.reply_keys():
                break
        else:
            raise AssertionError(f"never saw {spec['key']!r} pressing {spec['press']!r}")


async def _check(driver: ChatDriver, expect: dict[str, Any], where: str) -> None:
    text = driver.text()
    for key in expect.get("keys", []):
        assert key in driver.reply_keys(), (
            f"{where}: expected a reply {key!r}, got {driver.reply_keys()}\n{text}"
        )
    for fragment in expect.get("says", []):
        assert fragment in text, f"{where}: expected {fragment!r} in:\n{text}"
    for fragment in expect.get("not_says", []):
        assert fragment not in text, f"{where}: did not expect {fragment!r} in:\n{text}"
    for label in expect.get("buttons", []):
        assert label in driver.labels(), f"{where}: no button {label!r} in {driver.labels()}"
    for filename in expect.get("attachments", []):
        names = [r.attachment.filename for r in driver.last if r.attachment is not None]
        assert filename in names, f"{where}: no attachment {filename!r} in {names}"
    if expect.get("no_buttons"):
        assert not driver.buttons(), f"{where}: expected no buttons, got {driver.labels()}"
    if "state" in expect or "progress" in expect:
        loaded = await driver.app.assistant.store.load(driver.channel, driver.chat_id)
        snapshot = loaded.snapshot
        wanted = expect.get("state") or {}
        actual = {
            "screen": snapshot.state.screen.value,
            "task": snapshot.state.task_id,
            "step": snapshot.state.step_id,
            "language": snapshot.profile.language,
            "consent": snapshot.profile.consent.value,
        }
        for name, value in wanted.items():
            assert actual[name] == value, (
                f"{where}: state {name} is {actual[name]!r}, want {value!r}"
            )
        for task_id, want in (expect.get("progress") or {}).items():
            progress = snapshot.progress.get(task_id)
            assert progress is not None, f"{where}: no progress saved for {task_id}"
            for name, value in want.items():
                got = (
                    progress.status.value
                    if name == "status"
                    else getattr(progress, f"{name}_id" if name == "step" else name)
                )
                if name == "failures":
                    got = dict(progress.failures)
                assert got == value, f"{where}: {task_id} {name} is {got!r}, want {value!r}"
