"""Deep links from a trainer's class (`/start c_<code>`): remember the class code for now.

Classes do not exist yet (the dashboard issue adds them). Until then this placeholder keeps the
code in the conversation state (`extra["class_code"]`) so nothing is lost, and tells someone who
is already set up that their group was noted. The dashboard registers the real `start_payload`
command; this one only registers when nothing else did, whatever the import order.
"""

from __future__ import annotations

import re

from bot.conversation import registry
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
    if turn.profile.language is not None and turn.profile.consent is not Consent.UNKNOWN:
        # Someone new first chooses a language; a message now would be in the wrong one.
        turn.say("telegram.class_noted")


registry.commands.setdefault("start_payload", note_class)
