"""What a participant can send, independent of the channel it came through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Understanding:
    """What the language layer made of free text: an intent, its entities and how sure it is."""

    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, str] = field(default_factory=dict)
    source: str = "none"
    """Which interpreter answered ("rasa", "builtin", "none"): reported in analytics and metrics."""


@dataclass(frozen=True)
class Start:
    """First contact, /start, or opening the console; `payload` is a deep-link parameter."""

    payload: str = ""
    language_hint: str | None = None
    """The channel's guess (Telegram's `language_code`): it only pre-selects in the picker."""
    language: str | None = None
    """A language already chosen outside the chat, e.g. `wegwijs chat --lang en`."""


@dataclass(frozen=True)
class Text:
    text: str
    """Already redacted: the engine never sees a BSN or a password."""
    understanding: Understanding = Understanding()
    secrets_removed: bool = False
    """True when redaction removed something the participant should be warned about."""


@dataclass(frozen=True)
class Press:
    """A button press; `data` is the raw callback data, which may be old or forged."""

    data: str


@dataclass(frozen=True)
class Command:
    name: str
    args: str = ""


@dataclass(frozen=True)
class Media:
    """Something we cannot read: a photo, voice note, sticker, location, ..."""

    kind: str


@dataclass(frozen=True)
class EffectFailed:
    """Not from the participant: the service could not carry out an effect of the last turn.

    The turn was rolled back and the engine runs again with this event, e.g. a slot that another
    participant booked a moment earlier (`reason` "slot_taken", `detail` the branch id).
    """

    reason: str
    detail: str = ""


Inbound = Start | Text | Press | Command | Media | EffectFailed
