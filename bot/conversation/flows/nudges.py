"""/reminders: whether the participant wants a friendly message after stopping in a task."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.effects import DropNudges
from bot.conversation.flows.menu import show_menu
from bot.conversation.registry import action, command, screen
from bot.conversation.state import Screen
from bot.conversation.turn import Turn


@screen(Screen.NUDGES)
def show_nudges(turn: Turn, _: str = "") -> None:
    turn.go(Screen.NUDGES)
    turn.say(
        "nudge.settings_on" if turn.profile.nudges else "nudge.settings_off",
        [
            [turn.button("nudge.turn_on", "nudges", "on")],
            [turn.button("nudge.turn_off", "nudges", "off")],
            [turn.button("nav.menu", "menu")],
        ],
    )


command("reminders")(show_nudges)


@action("nudges")
def set_nudges(turn: Turn, choice: str) -> None:
    if choice not in ("on", "off"):
        show_nudges(turn)
        return
    wanted = choice == "on"
    turn.profile = replace(turn.profile, nudges=wanted)
    if not wanted:
        turn.effect(DropNudges())
    turn.record("nudges_on" if wanted else "nudges_off")
    turn.say("nudge.now_on" if wanted else "nudge.now_off")
    show_menu(turn)
