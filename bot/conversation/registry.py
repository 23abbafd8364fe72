"""Where flows register what they answer: button actions, slash commands and NLU intents.

Flows added by later features (booking, privacy) register here too; a later registration of the
same name replaces the earlier one, which is how a placeholder becomes the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.conversation.state import Screen
from bot.conversation.turn import Turn

ActionHandler = Callable[[Turn, str], None]
"""(turn, argument) for buttons; (turn, args) for commands; (turn, entity value) for intents."""
ScreenRenderer = Callable[[Turn], None]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Action:
    handler: ActionHandler
    step_bound: bool
    """Step-bound actions (done, didn't work, ...) only count on the newest keyboard."""


actions: dict[str, Action] = {}
commands: dict[str, ActionHandler] = {}
intents: dict[str, ActionHandler] = {}
screens: dict[Screen, ScreenRenderer] = {}
text_readers: dict[Screen, ActionHandler] = {}
"""Screens that ask for free text (e.g. "tell staff what went wrong"): (turn, redacted text)."""
failures: dict[str, ActionHandler] = {}
"""What to answer when the service could not carry out an effect: (turn, detail) by reason."""


def action(name: str, *, step_bound: bool = False) -> Callable[[F], F]:
    def register(handler: F) -> F:
        actions[name] = Action(handler, step_bound)
        return handler

    return register


def command(name: str) -> Callable[[F], F]:
    def register(handler: F) -> F:
        commands[name] = handler
        return handler

    return register


def intent(*names: str) -> Callable[[F], F]:
    def register(handler: F) -> F:
        for name in names:
            intents[name] = handler
        return handler

    return register


def screen(name: Screen) -> Callable[[F], F]:
    def register(renderer: F) -> F:
        screens[name] = renderer
        return renderer

    return register


def reads_text(name: Screen) -> Callable[[F], F]:
    def register(handler: F) -> F:
        text_readers[name] = handler
        return handler

    return register


def on_failure(reason: str) -> Callable[[F], F]:
    def register(handler: F) -> F:
        failures[reason] = handler
        return handler

    return register
