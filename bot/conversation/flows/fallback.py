"""Kind answers for what the engine cannot use: unclear text, media, old or forged buttons."""

from __future__ import annotations

from bot.conversation.registry import intent, screens
from bot.conversation.state import Screen
from bot.conversation.turn import Turn

VOICE_LIKE = frozenset({"voice", "audio", "video_note", "video"})


def show_current(turn: Turn) -> None:
    """Show the participant's current screen again, so the right buttons are at hand."""
    renderer = screens.get(turn.state.screen) or screens[Screen.MENU]
    renderer(turn)


@intent("out_of_scope")
def not_understood(turn: Turn, _: str = "") -> None:
    count = turn.state.misunderstood + 1
    limit = turn.content.dialogues.guided_task.misunderstood_before_offer
    turn.record("not_understood", turn.state.task_id, turn.state.step_id)
    if count >= limit and turn.state.screen is Screen.STEP:
        from bot.conversation.flows.walk import offer_help

        offer_help(turn, "misunderstood")
        turn.go(turn.state.screen, misunderstood=0)
        return
    turn.say("fallback.not_understood")
    show_current(turn)
    turn.go(turn.state.screen, misunderstood=count)


def media(turn: Turn, kind: str) -> None:
    turn.say("fallback.voice" if kind in VOICE_LIKE else "fallback.media")
    show_current(turn)


def stale_button(turn: Turn) -> None:
    turn.say("fallback.old_button")
    show_current(turn)


def invalid_button(turn: Turn) -> None:
    turn.say("fallback.invalid_button")
    show_current(turn)


def unknown_command(turn: Turn) -> None:
    turn.say("fallback.unknown_command")
    show_current(turn)


def secrets_warning(turn: Turn) -> None:
    turn.say("safety.secret_removed")
