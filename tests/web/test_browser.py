"""The dashboard in a real browser (Debian's Chromium, headless, through Playwright), served by
uvicorn together with Telegram's webhook exactly as `wegwijs serve` does; the participant is on
the loopback Telegram Bot API server. Screenshots of the main pages: test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.language.bidi import strip_isolates
from tests.appointments.test_handover import stuck_and_booked
from tests.support.driver import ChatDriver
from tests.web.browser_support import (
    DOWNLOADS,
    Live,
    chromium,
    chromium_problem,
    live_server,
    shoot,
)
from tests.web.support import BRANCH_A, LIBRARY_A, LIBRARY_B, stuck_participant, walk_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

PASSWORD = "een heel geheim wachtwoord"
_PROBLEM = chromium_problem()
if _PROBLEM:
    pytestmark.append(pytest.mark.skip(reason=_PROBLEM))


@pytest.fixture
async def live(sqlite_url: str, clock: FixedClock) -> AsyncIterator[Live]:
    async with live_server(sqlite_url, clock) as running:
        await running.add_user("anna@stadkamer.test", "staff", LIBRARY_A, PASSWORD)
        await running.add_user("bram@deventer.test", "staff", LIBRARY_B, PASSWORD)
        await running.add_user("tess@stadkamer.test", "trainer", LIBRARY_A, PASSWORD)
        await running.add_user("admin@wegwijs.test", "admin", None, PASSWORD)
        yield running


@pytest.fixture
async def page(live: Live) -> AsyncIterator[Any]:
    async with chromium() as browser:
        context = await browser.new_context(
            base_url=live.url,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        page = await context.new_page()
        yield page
        await context.close()


async def login(page: Any, email: str, password: str = PASSWORD) -> None:
    await page.goto("/inloggen")
    await page.get_by_label("E-mailadres").fill(email)
    await page.get_by_label("Wachtwoord").fill(password)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_load_state()


async def test_login_and_logout(live: Live, page: Any) -> None:
    await page.goto("/meldingen")
    assert page.url.endswith("/inloggen?next=/meldingen"), "no session: to the login page"
    await shoot(page, "01-inloggen")
    await login(page, "anna@stadkamer.test", "fout wachtwoord")
    assert await page.get_by_role("alert").text_content() == (
        "Dat e-mailadres en wachtwoord passen niet bij elkaar."
    )
    await page.get_by_label("Wachtwoord").fill(PASSWORD)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url("**/meldingen")
    assert await page.get_by_role("heading", level=1).text_content() == "Meldingen"
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert (
        cookies["wegwijs_session"]["httpOnly"] and cookies["wegwijs_session"]["sameSite"] == "Lax"
    )

    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/inloggen?ok=logged_out")
    assert "Je bent uitgelogd." in await page.get_by_role("status").text_content()
    await page.goto("/meldingen")
    assert "/inloggen" in page.url, "logged out: the session no longer works"


async def test_staff_claim_an_escalation_and_book_a_follow_up(live: Live, page: Any) -> None:
    people = live.people
    chat = await people.private_chat(7001, "Amina", language_code="ar")
    amina = ChatDriver(live.app, chat_id=str(chat), channel="telegram")
    await stuck_and_booked(amina, "ar")
    await amina.say("لم تصلني رسالة التفعيل من DigiD")
    before = len(people.bot_messages(chat))

    await login(page, "anna@stadkamer.test")
    await shoot(page, "02-meldingen")
    await page.get_by_role("link", name=re.compile(r"ma 23 nov")).first.click()
    await page.wait_for_load_state()
    assert "لم تصلني رسالة التفعيل" in await page.locator('blockquote[lang="ar"]').text_content()
    assert "Niet vertaald" in await page.content()
    await shoot(page, "03-melding")

    await page.get_by_role("button", name="Oppakken").click()
    await page.wait_for_load_state()
    assert "Je hebt de melding opgepakt." in await page.get_by_role("status").text_content()
    slots = page.get_by_role("radio")
    assert await slots.count() > 1
    await slots.nth(1).check()
    await page.get_by_role("button", name="Afspraak maken en deelnemer laten weten").click()
    await page.wait_for_url(re.compile(r"/afspraken/\d+\?ok=booked$"))
    await shoot(page, "04-afspraak")

    # Amina gets it on Telegram, in Arabic, with the calendar file.
    messages = await people.wait_for_messages(chat, before + 2, timeout=15)
    text = strip_isolates(messages[before].text or "")
    assert re.search(r"[\u0600-\u06FF]", text) and "Stadkamer Centrum" in text
    assert "De bibliotheek heeft" not in text
    [document] = [d for d in people.documents(chat) if (d.file_name or "").endswith(".ics")]
    assert b"BEGIN:VEVENT" in document.content

    # The agenda shows it; the screenshot is of the day of the follow-up.
    day = re.findall(r"dag=(\d{4}-\d{2}-\d{2})", await page.content())[0]
    await page.goto(f"/agenda?vestiging={BRANCH_A}&dag={day}")
    await shoot(page, "05-agenda-dag")
    await page.goto(f"/agenda?vestiging={BRANCH_A}&dag={day}&weergave=week")
    await shoot(page, "06-agenda-week")
    await page.goto(f"/vestigingen/{BRANCH_A}")
    await shoot(page, "07-vestiging")
    for index, (lang, steps, stuck) in enumerate(
        [("ar", 3, True), ("fa", 5, False), ("nl", 7, False), ("tr", 2, True), ("so", 1, False)]
    ):
        await walk_task(
            live.app, f"walker{index}", lang, LIBRARY_A, "digid-aanvragen", steps, stuck
        )
    await page.goto("/inzicht?taak=digid-aanvragen")
    assert await page.locator("img.chart").evaluate("img => img.naturalWidth") > 0
    await shoot(page, "08-inzicht")
    await page.goto("/deelnemers/1/bericht")
    await shoot(page, "09-bericht")


async def test_trainer_creates_a_class_and_downloads_its_qr_code(live: Live, page: Any) -> None:
    await login(page, "tess@stadkamer.test")
    await page.wait_for_url("**/klassen")
    await page.get_by_label("Naam van de klas").fill("Digitale overheid, dinsdagochtend")
    await page.get_by_label("Les 1").fill("2026-12-01")
    await page.get_by_label("Les 2").fill("2026-12-08")
    await page.get_by_role("button", name="Klas maken").click()
    await page.wait_for_url(re.compile(r"/klassen/\d+\?ok=class_created$"))
    link = await page.locator("code.link").text_content()
    assert link and link.startswith("https://t.me/wegwijs_test_bot?start=c_")
    assert await page.locator("img.qr").evaluate("img => img.naturalWidth") > 0
    await shoot(page, "10-klas")

    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="QR-code (PNG)").click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".png")
    png = DOWNLOADS / download.suggested_filename
    await download.save_as(png)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="QR-code (SVG)").click()
    svg = DOWNLOADS / (await download_info.value).suggested_filename
    await (await download_info.value).save_as(svg)
    assert b"<svg" in svg.read_bytes()

    await page.get_by_role("link", name="A4 om te printen").click()
    await page.wait_for_load_state()
    assert await page.locator("ul.languages li").count() == 8
    await shoot(page, "11-uitnodiging-a4")
    await page.emulate_media(media="print")
    await page.pdf(path=str(DOWNLOADS / "uitnodiging-a4.pdf"), format="A4")
    await page.emulate_media(media="screen")

    # A participant scans it: /start c_<code> over Telegram's webhook joins the class.
    code = link.rsplit("c_", 1)[1]
    people = live.people
    chat = await people.private_chat(7002, "Yonas", language_code="ti")
    await people.send_command(chat, "start", f"c_{code}")
    await people.wait_for_reply(chat, timeout=15)
    class_id = int(re.findall(r"/klassen/(\d+)", page.url)[0])
    assert len(await live.dashboard.services.classes.member_ids(class_id)) == 1
    await page.goto(f"/klassen/{class_id}")
    assert "1 deelnemer " in await page.locator("main").text_content()


async def test_staff_of_library_a_cannot_open_library_b_data(live: Live, page: Any) -> None:
    await stuck_participant(live.app, "deventer-1", "nl", library_id=LIBRARY_B)
    await login(page, "bram@deventer.test")
    ids = re.findall(r'href="/meldingen/(\d+)"', await page.content())
    assert ids, "Bram sees Deventer's escalation"
    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/inloggen?ok=logged_out")

    await login(page, "anna@stadkamer.test")
    assert f"/meldingen/{ids[0]}" not in await page.content()
    response = await page.goto(f"/meldingen/{ids[0]}")
    assert response.status == 404
    assert "hoort niet bij jouw bibliotheek" in await page.content()
    await shoot(page, "12-andere-bibliotheek")
    response = await page.goto("/agenda?vestiging=deventer-centrum")
    assert response.status == 404
    response = await page.goto("/agenda/deventer-centrum/2026-11-24.csv")
    assert response.status == 404


async def test_admin_pages(live: Live, page: Any) -> None:
    await login(page, "admin@wegwijs.test")
    await page.wait_for_url("**/beheer")
    await shoot(page, "13-beheer-bibliotheken")
    await page.goto("/beheer/gebruikers")
    await page.get_by_label("E-mailadres").fill("nieuw@stadkamer.test")
    await page.get_by_label("Rol").select_option("staff")
    await page.get_by_label("Bibliotheek").select_option(LIBRARY_A)
    await page.get_by_role("button", name="Account maken (met een nieuw wachtwoord)").click()
    await page.wait_for_load_state()
    assert "nieuw@stadkamer.test" in await page.get_by_role("status").text_content()
    await shoot(page, "14-beheer-gebruikers")
    await page.goto("/beheer/audit")
    assert "user_added" in await page.locator("table").text_content()
    await shoot(page, "15-auditlog")
