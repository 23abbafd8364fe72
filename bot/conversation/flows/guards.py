"""Handlers that need something of the participant's (the task being walked, their appointment).

Buttons stay in the chat after the thing they were about is gone: a step's button after the task
was finished or removed from the content, "cancel" after staff cancelled the appointment. Such a
press shows where the participant can go on instead of failing, and the handler itself only
deals with the case where the thing is there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Protocol, TypeVar

from bot.conversation.turn import Turn

T = TypeVar("T")


class Handler(Protocol):
    """A button action, intent or screen renderer: (turn) or (turn, argument)."""

    def __call__(self, turn: Turn, argument: str = "", /) -> None: ...


def needs(
    find: Callable[[Turn], T | None], *, otherwise: Callable[[Turn], None]
) -> Callable[[Callable[[Turn, T], None]], Handler]:
    """Run the handler with what `find` finds; when it finds nothing, run `otherwise` instead."""

    def guard(handler: Callable[[Turn, T], None]) -> Handler:
        # The argument is not passed on: none of these handlers reads it.
        @wraps(handler)
        def guarded(turn: Turn, _: str = "", /) -> None:
            found = find(turn)
            if found is None:
                otherwise(turn)
                return
            handler(turn, found)

        return guarded

    return guard
