"""Trainers: a class with an invite link, QR code (SVG and PNG) and an A4 page in eight
languages; joining through `/start c_<code>`; homework nudges; progress only as counts."""

from __future__ import annotations

import datetime as dt
import re

from bot.appointments.reminders import Reminders
from bot.language.bidi import strip_isolates
from bot.language.catalog import Entry
from bot.store.reminders import ReminderStore
from bot.store.turns import TurnStore
from tests.support.driver import ChatDriver
from tests.web.support import LIBRARY_A, Site, post_form

TASK = "nepberichten-herkennen"


async def _make_class(site: Site, client: object, name: str = "Dinsdaggroep") -> int:
    created = await post_form(
        client,  # type: ignore[arg-type]
        "/klassen",
        "/klassen",
        name=name,
        meeting="2026-12-01",
    )
    assert created.status_code == 303, created.text
    return int(re.findall(r"/klassen/(\d+)", created.headers["location"])[0])


async def test_a_class_its_link_qr_codes_and_printable_page(site: Site) -> None:
    site.dashboard.services.bot_username = lambda: "wegwijs_bot"
    tess = await site.login("tess@stadkamer.test")
    class_id = await _make_class(site, tess)
    page = await tess.get(f"/klassen/{class_id}")
    assert page.status_code == 200
    [code] = re.findall(r"https://t\.me/wegwijs_bot\?start=c_([A-Z0-9]+)", page.text)[:1]
    assert len(code) == 8

    svg = await tess.get(f"/klassen/{class_id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    png = await tess.get(f"/klassen/{class_id}/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert "attachment" in png.headers["content-disposition"]

    key = "dashboard.invite_instruction"
    arabic = "امسح رمز QR بكاميرا هاتفك. سيفتح Wegwijs في Telegram."
    catalogue = site.app.catalogue
    catalogue.translations.setdefault("ar", {})[key] = Entry(arabic, catalogue.source[key], True)
    catalogue.translations.setdefault("en", {}).pop(key, None)  # as if not translated yet
    a4 = await tess.get(f"/klassen/{class_id}/uitnodiging")
    assert a4.status_code == 200
    names = re.findall(r'<span class="lang">([^<]+)</span>', a4.text)
    assert names == [lang.name for lang in site.app.content.languages.languages]
    lines = re.findall(r'<li lang="([a-z]+)" dir="(rtl|ltr)">', a4.text)
    assert lines[names.index("العربية")] == ("ar", "rtl")
    assert "امسح رمز QR" in strip_isolates(a4.text)
    # Dutch itself, and English not translated yet: the Dutch line, as Dutch, left to right.
    assert names[1] == "English"
    assert lines[0] == ("nl", "ltr") and lines[1] == ("nl", "ltr")
    assert catalogue.source[key] in a4.text

    # Another trainer, or staff, cannot open it.
    tom = await site.login("tom@deventer.test")
    assert (await tom.get(f"/klassen/{class_id}")).status_code == 404
    assert (await tom.get(f"/klassen/{class_id}/qr.png")).status_code == 404
    anna = await site.login("anna@stadkamer.test")
    assert (await anna.get(f"/klassen/{class_id}")).status_code == 403
    for client in (tess, tom, anna):
        await client.aclose()


async def test_joining_by_link_homework_nudge_and_progress_counts(site: Site) -> None:
    tess = await site.login("tess@stadkamer.test")
    class_id = await _make_class(site, tess)
    code = (await site.dashboard.services.classes.get(class_id)).code  # type: ignore[union-attr]

    # Three people join through the link; one agrees to share progress with the trainer.
    people = []
    for index, lang in enumerate(("ar", "nl", "tr")):
        person = ChatDriver(site.app, chat_id=f"member{index}")
        await person.start(f"c_{code}", lang=lang)
        await person.press("consent:yes")
        people.append(person)
    loaded = await TurnStore(site.app.db).load("test", "member0")
    assert loaded.snapshot.profile.library_id == LIBRARY_A, "the class's library is theirs now"
    sharing = people[1]
    await sharing.command("privacy")
    await sharing.press("share:on")
    await sharing.press("menu")
    # A wrong code changes nothing.
    stranger = ChatDriver(site.app, chat_id="stranger")
    await stranger.start("c_NOSUCHCODE", lang="nl")
    assert (
        await TurnStore(site.app.db).load("test", "stranger")
    ).snapshot.profile.library_id is None

    # Progress: one done, one stuck at step 2, one just started.
    for person in people:
        await person.press("tasks")
        await person.press(f"task:{TASK}")
        await person.press(f"start:{TASK}")
    await people[0].press("done")
    await people[0].press("stuck")
    task = site.app.content.tasks[TASK]
    for _ in task.steps:
        await people[1].press("done")

    page = await tess.get(f"/klassen/{class_id}")
    assert "3 deelnemers" in page.text
    row = re.search(r"Nepberichten[^<]*</td>(.*?)</tr>", page.text, re.S)
    assert row, page.text
    numbers = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
    assert numbers == ["3", "1", "1", "1"], numbers  # started, done, busy, stuck
    assert "stap 2: 1" in row.group(1)
    # Per person only the one who shares; never anyone's words.
    assert "#2" in page.text and "#1<" not in page.text and "#3<" not in page.text

    # Homework: a nudge for the members who have not finished, the day before the lesson.
    homework = await post_form(
        tess,
        f"/klassen/{class_id}",
        f"/klassen/{class_id}/huiswerk",
        task=TASK,
        due_on="2026-12-01",
    )
    assert homework.status_code == 303
    rows = [r for r in await ReminderStore(site.app.db).rows() if r["kind"] == "homework"]
    assert len(rows) == 3
    due = {r["due_at"].replace(tzinfo=dt.UTC) for r in rows}
    assert due == {dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)}, "17:00 in Amsterdam"
    site.clock.set(dt.datetime(2026, 11, 30, 16, 5, tzinfo=dt.UTC))
    report = await Reminders.for_app(site.app, site.notifier).send_due(site.clock.now())
    assert report.sent == 2 and report.dropped == 1, "the one who finished gets none"
    nudges = [(chat, replies) for _, chat, replies in site.notifier.sent]
    assert {chat for chat, _ in nudges} == {"member0", "member2"}
    arabic = next(replies for chat, replies in nudges if chat == "member0")[0]
    assert arabic.key == "dashboard.homework_nudge"
    assert arabic.buttons[0][0].data.endswith(TASK)
    turkish = next(replies for chat, replies in nudges if chat == "member2")[0]
    assert "1 Aralık" in strip_isolates(turkish.text), "the lesson's day in Turkish"
    assert (await tess.get(f"/klassen/{class_id}")).status_code == 303, "a week on: logged out"
    await tess.aclose()
    tess = await site.login("tess@stadkamer.test")
    listing = await tess.get(f"/klassen/{class_id}")
    assert "0 gepland, 2 verstuurd" in listing.text
    await tess.aclose()
