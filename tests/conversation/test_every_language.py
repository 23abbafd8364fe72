"""A whole task in each of the eight languages: every text shown is that language's own."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.content import keys
from bot.language.bidi import strip_isolates
from tests.support.driver import ChatDriver

LANGUAGES = ["nl", "en", "ar", "ti", "fa", "tr", "so", "ku"]
TASK = "digid-aanvragen"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_walk_a_task_to_the_end(app: App, lang: str) -> None:
    translations = app.catalogue.translations.get(lang, {})
    task = app.content.tasks[TASK]
    if lang != app.content.languages.source:
        missing = [k for k, _ in keys.task_texts(task) if k not in translations]
        missing += [k for k in app.content.messages if k not in translations]
        assert not missing, f"{lang}: {len(missing)} texts not translated, e.g. {missing[:3]}"

    driver = ChatDriver(app, chat_id=f"walk-{lang}")
    await driver.start(hint=lang)
    await driver.press(f"lang:{lang}")
    assert driver.reply_keys() == ["consent.text"] or "consent.text" in driver.reply_keys()
    consent = driver.find("consent:yes", driver.buttons())
    await driver.raw(consent.data)
    await driver.press("tasks")
    title = strip_isolates(app.catalogue.lookup(lang, keys.task_title(TASK)))
    assert title in driver.labels()
    await driver.press(f"task:{TASK}")
    await driver.press(f"start:{TASK}")
    for step in task.steps:
        shown = driver.text()
        expected = strip_isolates(
            app.catalogue.lookup(lang, keys.step_field(TASK, step.id, "text"))
        )
        assert expected in shown, f"{lang}: step {step.id} not shown in its own language"
        await driver.press("done")
    assert "done.text" in driver.reply_keys()
    assert title in driver.text()
