"""Deep links from a trainer's class (`/start c_<code>`): join the class.

The code is kept in the conversation state (`extra["class_code"]`) and the `JoinClass` effect
asks the store to make the participant a member of the class with that code (the dashboard's
classes), with the class's library as theirs; an unknown or archived code changes nothing.
Someone who is already set up is told their group was noted. Registered only when nothing else
registered a `start_payload` command, whatever the import order.
"""

from __future__ import annotations

import re

from bot.conversation import registry
from bot.conversation.effects import JoinClass
from bot.conversation.state import Consent
from bot.conversation.turn import Turn

CLASS_PREFIX = "c_"
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def note_class(turn: Turn, payload: str) -> None:
    if not payload.startswith(CLASS_PREFIX):
        return  # t_<task> and other payloads are handled by the engine itself
    code = payload[len(CLASS_PREFIX) :]
    if not _CODE.match(code):
        return
    turn.remember(class_code=code)
    turn.effect(JoinClass(code))
    if turn.profile.language is not None and turn.profile.consent is not Consent.UNKNOWN:
        # Someone new first chooses a language; a message now would be in the wrong one.
        turn.say("telegram.class_noted")


registry.commands.setdefault("start_payload", note_class)
