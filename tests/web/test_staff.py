"""Library staff in the dashboard: the inbox, a handover with the participant's words beside
the Dutch, a follow-up the participant hears about in Arabic, the agenda and its downloads,
moving, cancelling, attended / no-show, notes, and a message to a participant."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from bot.appointments.calendar import AMSTERDAM
from bot.language.bidi import strip_isolates
from bot.language.translation import Translation
from bot.store.appointments import AppointmentStore
from tests.appointments.test_handover import stuck_and_booked
from tests.support.driver import ChatDriver
from tests.web.support import BRANCH_A, LIBRARY_A, Site, post_form, stuck_participant


def _first_slot(html: str) -> str:
    found = re.search(r'name="slot" value="([^"]+)"', html)
    assert found, "no free slot offered"
    return found.group(1)


async def test_inbox_handover_words_and_a_follow_up_in_arabic(site: Site) -> None:
    arabic = ChatDriver(site.app, chat_id="ar")
    await stuck_and_booked(arabic, "ar")
    await arabic.say("لم تصلني الرسالة")
    await stuck_participant(site.app, "nl", "nl")
    anna = await site.login("anna@stadkamer.test")

    inbox = await anna.get("/meldingen")
    assert inbox.status_code == 200
    assert "Nieuw (2)" in inbox.text and "DigiD aanvragen" in inbox.text
    ids = re.findall(r'href="/meldingen/(\d+)"', inbox.text)
    assert len(ids) == 2

    page = await anna.get(f"/meldingen/{ids[-1]}")  # the Arabic one: the oldest, listed last
    assert page.status_code == 200
    text = page.text
    assert "<dt>Stap</dt><dd>1 van " in text and "lukte niet" in text
    assert "Niet vertaald" in text, "no translator: staff see that, and the original beside it"
    assert 'lang="ar" dir="rtl"' in text and "لم تصلني الرسالة" in text
    assert "tolk gevraagd" in text

    claimed = await post_form(anna, f"/meldingen/{ids[-1]}", f"/meldingen/{ids[-1]}/oppakken")
    assert claimed.status_code == 303
    assert "Anna" in (await anna.get("/meldingen?status=claimed")).text

    # A follow-up: the first free time at Stadkamer Centrum.
    handover_page = await anna.get(f"/meldingen/{ids[-1]}?vestiging={BRANCH_A}")
    slot = _first_slot(handover_page.text)
    booked = await post_form(
        anna,
        f"/meldingen/{ids[-1]}",
        f"/meldingen/{ids[-1]}/afspraak",
        branch=BRANCH_A,
        slot=slot,
        interpreter="yes",
    )
    assert booked.status_code == 303 and "ok=booked" in booked.headers["location"]
    (_, chat, replies) = site.notifier.sent[-1]
    assert chat == "ar" and replies[0].key == "staff.booked"
    assert "De bibliotheek heeft" not in strip_isolates(replies[0].text), "Arabic, not Dutch"
    assert replies[1].attachment is not None and replies[1].attachment.filename.endswith(".ics")

    appointment = await anna.get(booked.headers["location"])
    assert appointment.status_code == 200
    assert "De afspraak is gemaakt" in appointment.text
    assert "een medewerker" in appointment.text
    await anna.aclose()


async def test_agenda_downloads_marks_notes_move_and_cancel(site: Site) -> None:
    driver = ChatDriver(site.app, chat_id="nl")
    await stuck_and_booked(driver, "nl")
    [appointment] = await AppointmentStore(site.app.db).for_participant(1)
    day = appointment.starts_at.astimezone(AMSTERDAM).date()
    anna = await site.login("anna@stadkamer.test")

    agenda = await anna.get(f"/agenda?vestiging={BRANCH_A}&dag={day}")
    assert agenda.status_code == 200 and f"/afspraken/{appointment.id}" in agenda.text
    week = await anna.get(f"/agenda?vestiging={BRANCH_A}&dag={day}&weergave=week")
    assert week.status_code == 200 and f"/afspraken/{appointment.id}" in week.text

    ics = await anna.get(f"/agenda/{BRANCH_A}/{day}.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content
    note = await post_form(
        anna,
        f"/afspraken/{appointment.id}",
        f"/afspraken/{appointment.id}/notitie",
        note="Neemt de brief van de gemeente mee",
    )
    assert note.status_code == 303
    sheet = await anna.get(f"/agenda/{BRANCH_A}/{day}.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["begin", "einde", "vestiging", "status"]
    assert rows[1][3] == "geboekt" and rows[1][4] == "DigiD aanvragen"
    assert rows[1][7] == "#1" and "brief van de gemeente" in rows[1][9]
    single = await anna.get(f"/afspraken/{appointment.id}.ics")
    assert single.status_code == 200 and b"BEGIN:VEVENT" in single.content

    # Move it to another free time: the participant hears it; then mark, then cancel.
    page = await anna.get(f"/afspraken/{appointment.id}")
    slot = _first_slot(page.text)
    moved = await post_form(
        anna,
        f"/afspraken/{appointment.id}",
        f"/afspraken/{appointment.id}/verzetten",
        branch=BRANCH_A,
        slot=slot,
    )
    assert moved.status_code == 303 and "ok=moved" in moved.headers["location"]
    new_id = int(re.findall(r"/afspraken/(\d+)", moved.headers["location"])[0])
    assert new_id != appointment.id
    assert site.notifier.sent[-1][2][0].key == "staff.moved"
    marked = await post_form(anna, f"/afspraken/{new_id}", f"/afspraken/{new_id}/niet-gekomen")
    assert "ok=no_show" in marked.headers["location"]
    assert (await AppointmentStore(site.app.db).get(new_id)).status == "no_show"  # type: ignore[union-attr]
    marked = await post_form(anna, f"/afspraken/{new_id}", f"/afspraken/{new_id}/aanwezig")
    assert (await AppointmentStore(site.app.db).get(new_id)).status == "attended"  # type: ignore[union-attr]

    # A second follow-up, cancelled again.
    second = await post_form(
        anna,
        f"/afspraken/{new_id}",
        "/meldingen/1/afspraak",
        branch=BRANCH_A,
        slot=_first_slot((await anna.get("/meldingen/1")).text),
    )
    second_id = int(re.findall(r"/afspraken/(\d+)", second.headers["location"])[0])
    cancelled = await post_form(
        anna, f"/afspraken/{second_id}", f"/afspraken/{second_id}/annuleren"
    )
    assert "ok=cancelled" in cancelled.headers["location"]
    assert site.notifier.sent[-1][2][0].key == "staff.cancelled"
    assert (await AppointmentStore(site.app.db).get(second_id)).status == "cancelled"  # type: ignore[union-attr]
    await anna.aclose()


class Translator:
    name = "loopback"

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    async def translate(self, text: str, source: str, target: str) -> Translation:
        self.asked.append((text, source, target))
        return Translation("تعال يوم الثلاثاء من فضلك", True, self.name)


async def test_a_message_to_a_participant_in_their_language_with_the_dutch(site: Site) -> None:
    await stuck_participant(site.app, "ar", "ar")
    anna = await site.login("anna@stadkamer.test")
    form = await anna.get("/deelnemers/1/bericht")
    assert form.status_code == 200 and "geen vertaaldienst" in form.text

    # No translator: the Dutch as written, inside the Arabic sentence around it.
    sent = await post_form(
        anna, "/deelnemers/1/bericht", "/deelnemers/1/bericht", text="Kom dinsdag om 10 uur."
    )
    assert "ok=sent" in sent.headers["location"]
    (_, chat, [reply]) = site.notifier.sent[-1]
    assert chat == "ar" and reply.key == "dashboard.staff_message"
    assert "Kom dinsdag om 10 uur." in strip_isolates(reply.text)
    assert "Stadkamer" in strip_isolates(reply.text)

    translator = Translator()
    site.app.assistant.translator = translator
    sent = await post_form(
        anna, "/deelnemers/1/bericht", "/deelnemers/1/bericht", text="Kom dinsdag alstublieft."
    )
    assert "ok=sent_translated" in sent.headers["location"]
    assert translator.asked == [("Kom dinsdag alstublieft.", "nl", "ar")]
    (_, _, [reply]) = site.notifier.sent[-1]
    text = strip_isolates(reply.text)
    assert reply.key == "dashboard.staff_message_translated"
    assert "تعال يوم الثلاثاء من فضلك" in text and "Kom dinsdag alstublieft." in text
    await anna.aclose()


async def test_branch_settings_change_what_participants_can_book(site: Site) -> None:
    anna = await site.login("anna@stadkamer.test")
    page = await anna.get(f"/vestigingen/{BRANCH_A}")
    assert page.status_code == 200 and "Afspraaktijden" in page.text
    first = re.findall(r"Eerstvolgende vrije tijden: ([^<]+)", page.text)[0]
    assert first.strip()

    # Closed all of next week: no free times before the week after.
    today = site.clock.now().astimezone(AMSTERDAM).date()
    until = today + dt.timedelta(days=13)
    closed = await post_form(
        anna,
        f"/vestigingen/{BRANCH_A}",
        f"/vestigingen/{BRANCH_A}/sluitingen",
        starts_on=today.isoformat(),
        ends_on=until.isoformat(),
        reason="Verbouwing",
    )
    assert closed.status_code == 303
    slots = await site.dashboard.services.desk().free_slots(BRANCH_A, 3)
    assert slots and all(slot.start.date() > until for slot in slots)
    # The chat's booking sees the same calendar.
    driver = ChatDriver(site.app, chat_id="late")
    await driver.start(lang="nl")
    await driver.press("consent:yes")
    await driver.command("appointment")
    await driver.press("book")
    await driver.press(f"library:{LIBRARY_A}")
    await driver.press(f"branch:{BRANCH_A}")
    from tests.appointments.booking_helpers import slot_buttons

    offered = [start for _, start in slot_buttons(driver)]
    assert offered and all(start.astimezone(AMSTERDAM).date() > until for start in offered)

    # A slot template with one window a week, 30 minutes, two seats.
    page = await anna.get(f"/vestigingen/{BRANCH_A}")
    opening = re.findall(r'<td>([^<]*)</td><td><input id="window_thu"', page.text)[0]
    assert opening != "gesloten"
    saved = await post_form(
        anna,
        f"/vestigingen/{BRANCH_A}",
        f"/vestigingen/{BRANCH_A}/sjabloon",
        window_mon="",
        window_tue="",
        window_wed="",
        window_thu=opening.split(",")[0].split("-")[0].strip()
        + "-"
        + opening.split(",")[0].split("-")[1].strip(),
        window_fri="",
        window_sat="",
        window_sun="",
        appointment_minutes="30",
        capacity="2",
    )
    assert saved.status_code == 303, saved.text
    branch = site.app.content.libraries.branch(BRANCH_A)
    assert (branch.appointment_minutes, branch.capacity) == (30, 2)
    slots = await site.dashboard.services.desk().free_slots(BRANCH_A, 5)
    assert slots and {slot.start.weekday() for slot in slots} == {3}

    # Windows outside the opening hours are refused with the reason.
    refused = await post_form(
        anna,
        f"/vestigingen/{BRANCH_A}",
        f"/vestigingen/{BRANCH_A}/sjabloon",
        window_sun="03:00-04:00",
        appointment_minutes="30",
        capacity="1",
    )
    assert refused.status_code == 400 and "outside the opening hours" in refused.text
    # Back to libraries.yml.
    reset = await post_form(
        anna, f"/vestigingen/{BRANCH_A}", f"/vestigingen/{BRANCH_A}/sjabloon", reset="1"
    )
    assert reset.status_code == 303
    assert site.app.content.libraries.branch(BRANCH_A).capacity == 1
    # Opening hours are for admins.
    hours = await post_form(
        anna, f"/vestigingen/{BRANCH_A}", f"/vestigingen/{BRANCH_A}/openingstijden"
    )
    assert hours.status_code == 403
    await anna.aclose()
