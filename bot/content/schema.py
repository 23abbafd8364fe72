"""Typed schemas for the content files: task guides, glossary, languages, menus and the task flow.

Every participant-facing text in these files is the Dutch (B1) source; translations live in the
gettext catalogues and are looked up by the stable keys in `bot.content.keys`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
DutchText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
MessageKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")]

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DigiDLevel(StrEnum):
    NONE = "none"
    BASIS = "basis"
    MIDDEN = "midden"
    SUBSTANTIEEL = "substantieel"


class Wait(Strict):
    """A real-world wait after a step, e.g. the letter with the activeringscode."""

    days: int = Field(ge=1, le=120)
    working_days: bool = False
    text: DutchText


class Step(Strict):
    id: Slug
    text: DutchText
    label: str | None = None
    """The exact Dutch label on the official site, quoted so people recognise it."""
    url: HttpsUrl | None = None
    check: DutchText
    """A yes/no question whose 'yes' means the step worked."""
    more: DutchText | None = None
    """Another explanation, offered when the first one did not work."""
    terms: tuple[Slug, ...] = ()
    wait: Wait | None = None


class Problem(Strict):
    id: Slug
    step: Slug | None = None
    text: DutchText
    fix: DutchText


class Item(Strict):
    """A short text with a stable id, so its translations survive edits to its neighbours."""

    id: Slug
    text: DutchText


class Source(Strict):
    url: HttpsUrl
    title: str
    checked: dt.date


class Task(Strict):
    id: Slug
    title: DutchText
    goal: DutchText
    for_whom: DutchText
    digid_level: DigiDLevel
    prerequisites: tuple[Slug, ...] = ()
    official_urls: tuple[HttpsUrl, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=1)
    problems: tuple[Problem, ...] = ()
    bring: tuple[Item, ...] = ()
    """What to bring to a library appointment about this task (never a password)."""
    sources: tuple[Source, ...] = Field(min_length=1)
    last_checked: dt.date
    review_by: dt.date
    order: int = 100

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: tuple[Step, ...]) -> tuple[Step, ...]:
        ids = [s.id for s in steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"step ids must be unique, repeated: {', '.join(duplicates)}")
        return steps

    @model_validator(mode="after")
    def _problems_point_to_steps(self) -> Task:
        step_ids = {s.id for s in self.steps}
        for problem in self.problems:
            if problem.step is not None and problem.step not in step_ids:
                raise ValueError(f"problem {problem.id!r} names unknown step {problem.step!r}")
        if self.review_by < self.last_checked:
            raise ValueError("review_by must not be before last_checked")
        return self

    def step_index(self, step_id: str) -> int | None:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return None


class GlossaryTerm(Strict):
    id: Slug
    term: DutchText
    """The Dutch word as it appears on sites and letters."""
    explanation: DutchText
    aliases: tuple[str, ...] = ()
    """Other spellings people type (no translation: those live in the catalogues)."""


class Glossary(Strict):
    terms: tuple[GlossaryTerm, ...]


class Language(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
    name: DutchText
    """The language's own name, as its speakers write it."""
    rtl: bool = False
    telegram_codes: tuple[str, ...] = ()
    """Telegram `language_code` values that pre-select this language."""
    babel_locale: str
    translator_code: str | None = None


class Languages(Strict):
    source: str
    languages: tuple[Language, ...]

    @model_validator(mode="after")
    def _source_listed(self) -> Languages:
        if self.source not in {lang.code for lang in self.languages}:
            raise ValueError(f"source language {self.source!r} is not in the list")
        return self


class MenuItem(Strict):
    label: MessageKey
    action: Slug


class Menu(Strict):
    text: MessageKey
    items: tuple[MenuItem, ...] = Field(min_length=1)


class FlowButton(Strict):
    label: MessageKey
    action: Slug


class GuidedTaskFlow(Strict):
    """How a step is walked: the buttons under each step and when to offer help."""

    step_buttons: tuple[tuple[FlowButton, ...], ...]
    failures_before_offer: int = Field(ge=1, le=5)
    misunderstood_before_offer: int = Field(ge=1, le=5)
    days_away_before_offer: int = Field(ge=1, le=60)


class Dialogues(Strict):
    menus: dict[Slug, Menu]
    guided_task: GuidedTaskFlow
    commands: tuple[Slug, ...]


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders in a text, for checking translations keep them."""
    return set(_PLACEHOLDER.findall(text))
