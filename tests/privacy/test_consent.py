"""First contact: what is kept, why, how long, who sees it, Telegram; yes / no / under 16."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.app import build_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.store.models import Event, Participant
from tests.support.driver import ChatDriver


async def _rows(app: Any, model: Any) -> list[Any]:
    async with app.db.engine.connect() as connection:
        return list(await connection.execute(select(model.__table__)))


async def test_first_contact_says_what_is_kept_why_how_long_who_sees_it_and_telegram(
    app: Any,
) -> None:
    driver = ChatDriver(app)
    await driver.start()
    await driver.press("lang:nl")
    assert driver.reply_keys() == ["consent.text", "consent.details", "consent.question"]
    text = driver.text()
    for fragment in (
        "chatnummer",  # what: the chat id ...
        "je taal, je bibliotheek, hoe ver je bent en je afspraken",  # ... and the rest
        "Zo kun je later verder gaan",  # why
        "12 maanden",  # how long
        "medewerkers van jouw bibliotheek",  # who
        "Je trainer ziet alleen cijfers van de hele groep",
        "Telegram is een bedrijf buiten de Europese Unie",
        "16 jaar of ouder",
    ):
        assert fragment in text, fragment
    assert driver.labels() == [
        "Ja, dat is goed. Ik ben 16 of ouder",
        "Nee, liever niet",
        "Ik ben jonger dan 16",
    ]
    assert [reply.key for reply in driver.last if reply.buttons] == ["consent.question"], (
        "the buttons come with the question, after the explanation"
    )


async def test_the_consent_text_names_the_configured_retention(
    sqlite_url: str, clock: FixedClock
) -> None:
    settings = Settings(database_url=sqlite_url, retention_inactive_days=183)
    app = await build_app(settings, clock=clock)
    try:
        driver = ChatDriver(app)
        await driver.start(lang="nl")
        assert "Stuur je 6 maanden geen bericht?" in driver.text()
    finally:
        await app.close()


async def test_consent_in_the_participants_language(app: Any) -> None:
    driver = ChatDriver(app)
    await driver.start(hint="ar")
    await driver.press("lang:ar")
    arabic = app.engine.texts("ar")
    assert driver.last[1].text == arabic("consent.details", months=12)


async def test_yes_keeps_progress_and_links_what_they_do(app: Any) -> None:
    driver = ChatDriver(app, chat_id="yes")
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    assert driver.reply_keys() == ["consent.thanks", "menu.text"]
    [participant] = await _rows(app, Participant)
    assert participant.consent == "given"
    assert participant.consent_at is not None
    assert participant.share_with_trainer is False, "sharing with the trainer is off by default"
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    events = await _rows(app, Event)
    started = [e for e in events if e.kind == "task_started"]
    assert started and all(e.participant_id == participant.id for e in started)


async def test_no_still_gets_the_guides_and_events_stay_anonymous(app: Any) -> None:
    driver = ChatDriver(app, chat_id="no")
    await driver.start(lang="nl")
    await driver.press("consent:no")
    assert driver.reply_keys()[:2] == ["consent.declined", "menu.text"]
    assert "Ik bewaar niets over jou." in driver.text()
    assert "onthoud ik 24 uur" in driver.text()
    await driver.press("tasks")
    await driver.press("task:digid-aanvragen")
    await driver.press("start:digid-aanvragen")
    assert "step.header" in driver.reply_keys(), "the guide works without consent"
    events = await _rows(app, Event)
    assert {e.kind for e in events} >= {"consent_declined", "task_started"}
    assert all(e.participant_id is None for e in events), "nothing links events to them"


async def test_under_16_is_told_kindly_and_nothing_is_linked(app: Any) -> None:
    driver = ChatDriver(app, chat_id="young")
    await driver.start(lang="nl")
    await driver.press("consent:young")
    assert driver.reply_keys()[0] == "consent.too_young"
    text = driver.text()
    assert "Vraag een ouder of iemand in de bibliotheek" in text
    assert "Ik bewaar niets over jou" in text or "bewaar ik niets over jou" in text
    [participant] = await _rows(app, Participant)
    assert participant.consent == "declined"
    events = await _rows(app, Event)
    assert [e.kind for e in events if e.kind.startswith("consent")] == ["consent_under_16"]
    assert all(e.participant_id is None for e in events)


async def test_under_16_cannot_book(app: Any) -> None:
    driver = ChatDriver(app, chat_id="young-booking")
    await driver.start(lang="nl")
    await driver.press("consent:young")
    await driver.command("appointment")
    await driver.press("book")
    assert "booking.needs_consent" in driver.reply_keys()


async def test_events_before_the_answer_are_not_linked_to_someone_who_says_no(app: Any) -> None:
    driver = ChatDriver(app, chat_id="late-no")
    await driver.start()
    await driver.press("lang:nl")  # records "language_chosen" before consent is known
    await driver.press("consent:no")
    assert all(e.participant_id is None for e in await _rows(app, Event))


async def test_an_old_no_button_after_yes_asks_before_erasing(app: Any) -> None:
    driver = ChatDriver(app, chat_id="changed-mind")
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.press_old("consent:no")
    assert driver.reply_keys() == ["privacy.delete.ask"]
    [participant] = await _rows(app, Participant)
    assert participant.consent == "given", "nothing changes without the confirmation"


async def test_privacy_shows_it_again_and_the_trainer_choice_is_separate_and_withdrawable(
    app: Any, clock: FixedClock
) -> None:
    driver = ChatDriver(app, chat_id="sharer")
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.command("privacy")
    assert driver.reply_keys() == ["consent.details", "privacy.heading"]
    assert "Telegram is een bedrijf buiten de Europese Unie" in driver.text()
    assert "Je trainer ziet alleen cijfers van de hele groep." in driver.text()
    assert "👩‍🏫 Trainer mag mijn taken zien" in driver.labels()
    await driver.press("share:on")
    assert driver.reply_keys() == ["privacy.shared"]
    [participant] = await _rows(app, Participant)
    assert participant.share_with_trainer is True
    assert participant.consent == "given"

    clock.advance(dt.timedelta(days=3))
    await driver.press("privacy")
    assert "Je trainer ziet wat jij gedaan hebt." in driver.text()
    await driver.press("share:off")
    assert driver.reply_keys() == ["privacy.unshared"]
    [participant] = await _rows(app, Participant)
    assert participant.share_with_trainer is False


async def test_privacy_for_someone_who_said_no_offers_to_keep_it_after_all(app: Any) -> None:
    driver = ChatDriver(app, chat_id="no-then-yes")
    await driver.start(lang="nl")
    await driver.press("consent:no")
    await driver.command("privacy")
    assert "Ik bewaar niets over jou." in driver.text()
    labels = driver.labels()
    assert "Toch bewaren. Ik ben 16 of ouder" in labels
    assert not any("Trainer" in label for label in labels), "no trainer choice without consent"
    await driver.raw("9:share:on")  # a forged button: nothing is shared without consent
    [participant] = await _rows(app, Participant)
    assert participant.share_with_trainer is False
    await driver.command("privacy")
    await driver.press("consent:yes")
    assert "consent.thanks" in driver.reply_keys()
    [participant] = await _rows(app, Participant)
    assert participant.consent == "given"
