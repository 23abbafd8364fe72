"""`wegwijs seed-demo`: a fresh database filled so that someone evaluating Wegwijs sees a living
dashboard at once: a demo library with appointment slots, a staff member, a trainer, a class, and
demo participants who joined the class and walked, got stuck, booked or asked for a person.

The participants are simulated through the real assistant (the same turns a Telegram message
makes), on the channel "demo", so nobody is ever messaged and everything in the dashboard came
about as it would in use. Refuses a database that already has dashboard accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App
    from bot.conversation.replies import Reply

CHANNEL = "demo"
LIBRARY_ID = "wegwijs-demo"
BRANCH_ID = "wegwijs-demo-centrum"
STAFF_EMAIL = "medewerker@demo.wegwijs.invalid"
TRAINER_EMAIL = "trainer@demo.wegwijs.invalid"
ADMIN_EMAIL = "beheer@demo.wegwijs.invalid"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = sub.add_parser(
        "seed-demo",
        help="fill a fresh database with a demo library, slots, staff, a trainer, a class and "
        "demo participants (for evaluating the dashboard; never on a real installation)",
    )
    seed.add_argument(
        "--participants", type=int, default=8, help="how many demo participants (default 8)"
    )
    seed.set_defaults(handler=run_seed_demo)


@dataclass(frozen=True)
class Story:
    """What one demo participant does after joining the class."""

    language: str
    task: str
    steps_done: int
    then: str = ""
    """"" (stops there), "book" (stuck, books an appointment) or "person" (asks for a person)."""


STORIES = (
    Story("ar", "digid-aanvragen", 3, "book"),
    Story("ti", "digid-aanvragen", 1),
    Story("fa", "zorgtoeslag", 2, "person"),
    Story("tr", "digid-app-activeren", 0),
    Story("so", "berichtenbox", 2),
    Story("ku", "digid-aanvragen", 4, "book"),
    Story("en", "huurtoeslag", 1),
    Story("nl", "verhuizing-doorgeven", 2, "person"),
)


def demo_library(today: dt.date) -> dict[str, Any]:
    """A library in knowledge/libraries.yml's schema, with slots every weekday."""
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    return {
        "id": LIBRARY_ID,
        "name": "Bibliotheek Wegwijs (demo)",
        "website": "https://www.example.org",
        "gemeenten": ["Demostad"],
        "note": "Made by `wegwijs seed-demo`: not a real library.",
        "branches": [
            {
                "id": BRANCH_ID,
                "name": "Bibliotheek Wegwijs Centrum (demo)",
                "address": {"street": "Voorbeeldplein", "number": "1", "city": "Demostad"},
                "opening_hours": {day: "09:30-17:30" for day in weekdays},
                "appointment_windows": {day: ["10:00-12:15", "14:00-16:15"] for day in weekdays},
                "appointment_minutes": 45,
                "capacity": 2,
                "source": ["wegwijs seed-demo"],
                "checked": today.isoformat(),
                "verified": False,
                "note": "Demo data.",
            }
        ],
    }


def run_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(seed(settings, participants=args.participants))


async def seed(settings: Settings, *, participants: int = 8, out: Any = None) -> int:
    from bot.app import build_app
    from bot.appointments import overrides
    from bot.store.branch_settings import BranchSettingsStore
    from bot.store.classes import ClassStore
    from bot.store.staff_accounts import StaffAccounts
    from bot.web.passwords import generate_password, hash_password

    out = out or sys.stdout
    app = await build_app(settings)
    try:
        accounts = StaffAccounts(app.db)
        if await accounts.users():
            print(
                "This database has dashboard accounts already: seed-demo only fills a fresh one.",
                file=sys.stderr,
            )
            return 1
        now = app.clock.now()
        branches = BranchSettingsStore(app.db)
        await branches.put_library(LIBRARY_ID, demo_library(now.date()), "seed-demo", now)
        await overrides.install_from(app.content, app.db)  # the booking flow sees it now

        passwords = {e: generate_password() for e in (ADMIN_EMAIL, STAFF_EMAIL, TRAINER_EMAIL)}
        await accounts.add_user(
            email=ADMIN_EMAIL,
            role="admin",
            library_id=None,
            password_hash=hash_password(passwords[ADMIN_EMAIL]),
            name="Demo beheerder",
            now=now,
        )
        await accounts.add_user(
            email=STAFF_EMAIL,
            role="staff",
            library_id=LIBRARY_ID,
            password_hash=hash_password(passwords[STAFF_EMAIL]),
            name="Demo medewerker",
            now=now,
        )
        trainer = await accounts.add_user(
            email=TRAINER_EMAIL,
            role="trainer",
            library_id=LIBRARY_ID,
            password_hash=hash_password(passwords[TRAINER_EMAIL]),
            name="Demo trainer",
            now=now,
        )
        first_meeting = now.date() + dt.timedelta(days=(1 - now.weekday()) % 7 or 7)
        group = await ClassStore(app.db).create(
            library_id=LIBRARY_ID,
            trainer_id=trainer.id,
            name="Digitale overheid voor statushouders (demo)",
            meetings=[first_meeting + dt.timedelta(weeks=n) for n in range(-2, 4)],
            now=now,
        )
        done: Counter[str] = Counter()
        for number in range(participants):
            story = STORIES[number % len(STORIES)]
            done[await act(app, f"demo-{number + 1}", group.code, story)] += 1
    finally:
        await app.close()

    base = f"http://{settings.host}:{settings.port}"
    print(f"Demo data is in {_where(settings.database_url)}.", file=out)
    print(f"- library {LIBRARY_ID} with appointment slots every weekday", file=out)
    print(f"- class {group.name!r}, invite code {group.code} (/start c_{group.code})", file=out)
    print(
        f"- {participants} demo participants: {done['walked']} walking a task, "
        f"{done['booked']} with an appointment, {done['person']} asking for a person",
        file=out,
    )
    print(f"Start `wegwijs serve` and open {base}/ . Log in with (shown only now):", file=out)
    for email, password in passwords.items():
        print(f"  {email:<34} {password}", file=out)
    return 0


def _where(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url  # never print a password in the URL


async def act(app: App, chat_id: str, code: str, story: Story) -> str:
    """One participant's turns through the assistant; returns what they ended with."""
    from bot.conversation.inbound import Start

    person = _Person(app, chat_id)
    await person.turn(Start(payload=f"c_{code}", language=story.language))
    await person.press("consent", "yes")
    await person.press("tasks")
    await person.press("task", story.task)
    if not await person.press("start", story.task):
        return "walked"
    for _ in range(story.steps_done):
        await person.press("done")
    if story.then == "book":
        await person.press("stuck")
        await person.press("library_help")
        await person.press("library", LIBRARY_ID)
        await person.press("branch", BRANCH_ID)
        if await person.press("slot"):
            await person.press("interp", "yes")
            if await person.press("confirm"):
                return "booked"
    if story.then == "person":
        await person.press("stuck")
        await person.press("library_help")
        return "person"
    return "walked"


class _Person:
    def __init__(self, app: App, chat_id: str) -> None:
        self.app = app
        self.chat_id = chat_id
        self.replies: Sequence[Reply] = ()

    async def turn(self, inbound: Any) -> None:
        self.replies = await self.app.assistant.handle(CHANNEL, self.chat_id, inbound)

    async def press(self, action: str, argument: str = "") -> bool:
        """Press the first button of this action (and argument prefix) now on screen, if any."""
        from bot.conversation.inbound import Press

        for reply in reversed(self.replies):
            for row in reply.buttons:
                for button in row:
                    _, _, rest = button.data.partition(":")
                    name, _, value = rest.partition(":")
                    if name == action and value.startswith(argument):
                        await self.turn(Press(button.data))
                        return True
        return False
