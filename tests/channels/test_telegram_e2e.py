"""The real PTB Application, polling or receiving webhooks, against the Bot API server on
127.0.0.1, with a test participant who sends messages, taps buttons and reads the answers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import App
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_path
from bot.clock import FixedClock
from bot.content import keys
from bot.conversation.flows.fallback import VOICE_LIKE
from bot.language.bidi import FSI, PDI
from bot.language.catalog import Entry
from bot.settings import Settings
from bot.testing.botapi import BotApiServer
from bot.testing.botapi.media import MediaKind
from tests.channels.telegram_support import (
    Person,
    days,
    latin_outside_isolates,
    onboard,
    wegwijs,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

SECRET = "test-webhook-secret"


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(webhook_retry_delay=0.01) as running:
        yield running


@pytest.fixture
def settings(server: BotApiServer, sqlite_url: str) -> Settings:
    return Settings(
        database_url=sqlite_url,
        telegram_bot_token=server.token,
        telegram_api_base_url=server.base_url,
        webhook_secret=SECRET,
    )


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# Arabic drafts for the few sentences of first contact, with Dutch words and a phone number in them
# as real translations have: the catalogue's own Arabic may still be missing.
ARABIC = {
    "consent.text": "أهلاً بك في Wegwijs. أساعدك في DigiD. هاتف المكتبة: 088 123 65 55.",
    "consent.yes": "نعم، موافق",
    "consent.thanks": "شكراً لك.",
    "menu.text": "ماذا تريد أن تفعل؟",
    "command.tasks": "اختر مهمة",
}


def with_arabic(app: App) -> None:
    entries = app.catalogue.translations.setdefault("ar", {})
    for key, text in ARABIC.items():
        entries[key] = Entry(text, app.catalogue.source[key], True)


async def test_first_contact_in_arabic(
    server: BotApiServer, settings: Settings, clock: FixedClock, mode: str
) -> None:
    async with wegwijs(settings, clock, mode, prepare=with_arabic) as (app, _):
        people = server.participant
        amina = Person(people, await people.private_chat(3001, "Amina", language_code="ar"))

        picker = (await amina.start())[-1]
        assert picker.text == app.catalogue.source["language.choose"], "before any choice: Dutch"
        assert picker.button_texts[0] == "العربية", "Telegram's language only pre-selects"
        assert len(picker.button_texts) == len(app.content.languages.languages)

        consent = await amina.tap("العربية")
        text = consent[0].text or ""
        for dutch in ("Wegwijs", "DigiD", "088 123 65 55"):
            assert f"{FSI}{dutch}{PDI}" in text
        for message in consent:
            assert latin_outside_isolates(message.text or "") == "", message.text
        cleared = await amina.cleared(picker.message_id)
        assert cleared.text == picker.text and cleared.buttons == [], "the answered picker goes"

        after = await amina.tap(ARABIC["consent.yes"])
        assert after[0].text == ARABIC["consent.thanks"]
        assert after[-1].text == ARABIC["menu.text"]
        await amina.keyboards_settled()

        # The command menu: Dutch by default, per Telegram app language, and for this chat in the
        # language she chose.
        default = people.commands("")
        assert [c["command"] for c in default] == [
            "start",
            "tasks",
            "help",
            "language",
            "appointment",
            "mydata",
            "delete",
        ]
        assert default[1]["description"] == app.catalogue.source["command.tasks"]
        assert people.commands("ar")[1]["description"] == ARABIC["command.tasks"]
        english = app.engine.texts("en")("command.tasks")
        assert people.commands("en")[1]["description"] == english
        own = people.commands("", scope={"type": "chat", "chat_id": amina.chat})
        assert own[1]["description"] == ARABIC["command.tasks"]


async def test_a_complete_task_walk(
    server: BotApiServer, settings: Settings, clock: FixedClock, mode: str
) -> None:
    async with wegwijs(settings, clock, mode) as (app, _):
        nl = app.engine.texts("nl")
        task = app.content.tasks["nepberichten-herkennen"]
        people = server.participant
        sara = Person(people, await people.private_chat(3002, "Sara"))
        await onboard(sara, app)
        await sara.tap(nl("menu.tasks"))
        intro = (await sara.tap(nl(keys.task_title(task.id))))[-1]
        assert (intro.text or "").startswith(nl(keys.task_title(task.id)))

        step_messages = []
        shown = await sara.tap(nl("intro.start"))
        for number, step in enumerate(task.steps, start=1):
            message = shown[-1]
            assert (message.text or "").startswith(f"Stap {number} van {len(task.steps)}")
            if step.url:
                assert message.buttons[0][0]["url"] == step.url
            step_messages.append(message)
            shown = await sara.tap(nl("step.done"))
        assert shown[-1].text == nl("done.text", title=nl(keys.task_title(task.id)))

        await sara.keyboards_settled()
        for message in step_messages:
            now = people.message(sara.chat, message.message_id)
            assert not now.callback_data, "answered steps lose their buttons"
            links = [b for row in message.buttons for b in row if "url" in b]
            assert [b for row in now.buttons for b in row] == links, "their links stay"
        assert all(len(m.text or "") <= 4096 for m in sara.messages())


async def test_resume_after_the_bot_restarts(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    people = server.participant
    omar = Person(people, await people.private_chat(3003, "Omar"))
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        await onboard(omar, app)
        await omar.tap(nl("menu.tasks"))
        await omar.tap(nl(keys.task_title("nepberichten-herkennen")))
        first_step = (await omar.tap(nl("intro.start")))[-1]
        old_done = first_step.button(nl("step.done"))["callback_data"]
        second_step = (await omar.tap(nl("step.done")))[-1]
        assert (second_step.text or "").startswith("Stap 2 van")

    async with wegwijs(settings, clock, "polling") as (app, _):
        back = await omar.start()
        assert back[0].text == nl("resume.welcome_back")
        assert (back[-1].text or "").startswith("Stap 2 van")
        # A button from before the restart, still on his screen in an older message.
        old = await omar.press(first_step.message_id, old_done)
        assert old[0].text == nl("fallback.old_button")
        assert (old[-1].text or "").startswith("Stap 2 van")
        assert (await omar.tap(nl("step.done")))[-1].text.startswith("Stap 3 van")  # type: ignore[union-attr]


async def test_deep_links_into_a_class_and_into_a_task(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        store = app.assistant.store
        people = server.participant
        new = Person(people, await people.private_chat(3004, "Hiwet"))
        picker = await new.start("c_TAALHUIS7")
        assert picker[-1].text == nl("language.choose"), "someone new chooses a language first"
        menu = await onboard(new, app)
        assert menu[-1].text == nl("menu.text")
        loaded = await store.load("telegram", str(new.chat))
        assert loaded.snapshot.state.extra["class_code"] == "TAALHUIS7"

        again = await new.start("c_GROEP2")
        assert [m.text for m in again] == [nl("telegram.class_noted"), nl("menu.text")]
        loaded = await store.load("telegram", str(new.chat))
        assert loaded.snapshot.state.extra["class_code"] == "GROEP2"

        direct = Person(people, await people.private_chat(3005, "Yonas"))
        await direct.start("t_nepberichten-herkennen")
        opened = await onboard(direct, app)
        title = nl(keys.task_title("nepberichten-herkennen"))
        assert (opened[-1].text or "").startswith(title)


async def test_media_edits_and_group_messages(
    server: BotApiServer, settings: Settings, clock: FixedClock, mode: str
) -> None:
    async with wegwijs(settings, clock, mode) as (app, bot):
        en = app.engine.texts("en")
        people = server.participant
        lina = Person(people, await people.private_chat(3006, "Lina", language_code="en"))
        await onboard(lina, app, "en")
        kinds: list[MediaKind] = [
            "sticker",
            "photo",
            "voice",
            "video",
            "video_note",
            "audio",
            "location",
            "contact",
            "document",
            "animation",
        ]
        for kind in kinds:
            answer = await lina.media(kind)
            expected = "fallback.voice" if kind in VOICE_LIKE else "fallback.media"
            assert answer[0].text == en(expected), kind

        before = len(lina.messages())
        sent = await people.send_text(lina.chat, "hello")
        await lina.answer(before)
        before = len(lina.messages())
        await people.edit_text(lina.chat, sent["message"]["message_id"], "hello again")
        edited = await people.wait_for_reply(lina.chat)
        assert edited.text == en("telegram.edited")
        assert len(lina.messages()) == before + 1

        # A group: one pointer to a private chat, then silence, and no participant is made.
        await people.add_user(3101, "Ali", language_code="en")
        await people.add_user(3102, "Mona", language_code="en")
        group = await people.group_chat(-1003, "Taalhuis", members=[3101, 3102])
        await people.send_text(group, "hello bot", from_user=3101)
        pointer = await people.wait_for_reply(group)
        assert pointer.text == en("telegram.group_pointer")
        assert pointer.buttons == [
            [
                {
                    "text": en("telegram.open_private_chat"),
                    "url": f"https://t.me/{bot.channel.bot.username}",
                }
            ]
        ]
        await people.send_text(group, "anyone?", from_user=3102)
        await people.send_command(group, "start", from_user=3101)
        clock.advance(days(2))
        await people.send_text(group, "hello again", from_user=3102)
        # Updates of one chat are handled in order: the second pointer (a day later) comes after
        # the two messages before it, so any answer to those would show up here.
        messages = await people.wait_for_messages(group, 2)
        assert [m.text for m in messages] == [en("telegram.group_pointer")] * 2
        loaded = await app.assistant.store.load("telegram", str(group))
        assert loaded.participant_id is None


async def test_forged_and_old_buttons_are_answered_kindly(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "polling") as (app, _):
        nl = app.engine.texts("nl")
        people = server.participant
        noor = Person(people, await people.private_chat(3007, "Noor"))
        menu = (await onboard(noor, app))[-1]
        for data, key in [
            ("999999:done", "fallback.old_button"),  # a step button from a keyboard long gone
            ("x" * 64, "fallback.invalid_button"),  # junk a modified client could send
            ("1:nosuchaction", "fallback.invalid_button"),
        ]:
            answer = await noor.press(menu.message_id, data)
            assert answer[0].text == nl(key)
            assert answer[-1].text == nl("menu.text")
        assert all(query.answered for query in people.callback_answers())
        assert len(people.callback_answers()) == 2 + 3  # onboarding taps and the three above
        assert (await noor.tap(nl("menu.tasks")))[-1].text == nl("tasks.choose")


async def test_webhook_requires_the_secret(
    server: BotApiServer, settings: Settings, clock: FixedClock
) -> None:
    async with wegwijs(settings, clock, "webhook") as (_, bot):
        url = server.backend.webhook.url
        assert url.endswith(webhook_path(server.token, SECRET))
        base = url.rsplit("/telegram/", 1)[0]
        update = {"update_id": 1, "message": {"message_id": 1, "date": 1, "text": "x",
                                               "chat": {"id": 1, "type": "private"}}}  # fmt: skip
        async with httpx.AsyncClient(trust_env=False) as client:
            assert (await client.post(url, json=update)).status_code == 403
            wrong = {SECRET_HEADER: "guess"}
            assert (await client.post(url, json=update, headers=wrong)).status_code == 403
            right = {SECRET_HEADER: SECRET}
            assert (await client.post(url, content=b"[", headers=right)).status_code == 400
            assert (await client.post(f"{base}/telegram/x", headers=right)).status_code == 404
            health = await client.get(f"{base}/healthz")
            assert health.json() == {"status": "ok", "components": ["telegram-webhook"]}
        assert bot.application.updater is None, "webhook mode has no poller"
