"""One turn being built: a working copy of the participant's state, the replies and effects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.content.loader import Content
from bot.content.schema import Task
from bot.conversation.callbacks import Callback
from bot.conversation.effects import Effect, RecordEvent
from bot.conversation.replies import Button, Link, Reply
from bot.conversation.state import ConversationState, Profile, Progress, Screen, Snapshot
from bot.language.texts import Texts


@dataclass(frozen=True)
class Outcome:
    profile: Profile
    state: ConversationState
    progress: Mapping[str, Progress]
    """Only the task progress that changed in this turn."""
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


class Turn:
    def __init__(
        self,
        content: Content,
        texts_for: Any,
        snapshot: Snapshot,
        now: dt.datetime,
    ) -> None:
        self.content = content
        self._texts_for = texts_for
        self.snapshot = snapshot
        self.now = now
        self.profile = snapshot.profile
        self.state = snapshot.state
        self.progress: dict[str, Progress] = dict(snapshot.progress)
        self.changed: set[str] = set()
        self.replies: list[Reply] = []
        self.effects: list[Effect] = []
        self.keyboard = snapshot.state.keyboard + 1
        self._shown_buttons = False

    # -- language ---------------------------------------------------------------------------
    @property
    def texts(self) -> Texts:
        lang = self.profile.language or self.content.languages.source
        texts: Texts = self._texts_for(lang)
        return texts

    def t(self, key: str, **params: object) -> str:
        return self.texts(key, **params)

    # -- replies ----------------------------------------------------------------------------
    def button(self, label_key: str, action: str, argument: str = "", **params: object) -> Button:
        return self.raw_button(self.t(label_key, **params), action, argument)

    def raw_button(self, label: str, action: str, argument: str = "") -> Button:
        self._shown_buttons = True
        return Button(label=label, data=Callback(self.keyboard, action, argument).encode())

    def send(
        self,
        text: str,
        buttons: Iterable[Sequence[Button]] = (),
        links: Iterable[Link] = (),
        key: str = "",
    ) -> None:
        rows = tuple(tuple(row) for row in buttons if row)
        self.replies.append(Reply(text=text, buttons=rows, links=tuple(links), key=key))

    def say(
        self,
        key: str,
        buttons: Iterable[Sequence[Button]] = (),
        links: Iterable[Link] = (),
        **params: object,
    ) -> None:
        self.send(self.t(key, **params), buttons, links, key=key)

    # -- state ------------------------------------------------------------------------------
    def go(self, screen: Screen, **changes: Any) -> None:
        self.state = self.state.at(screen, **changes)

    def remember(self, **extra: Any) -> None:
        merged = {**self.state.extra, **extra}
        self.state = replace(self.state, extra={k: v for k, v in merged.items() if v is not None})

    def set_progress(self, progress: Progress) -> None:
        self.progress[progress.task_id] = progress
        self.changed.add(progress.task_id)

    def record(self, kind: str, task_id: str | None = None, step_id: str | None = None) -> None:
        self.effects.append(RecordEvent(kind, task_id, step_id))

    def effect(self, effect: Effect) -> None:
        self.effects.append(effect)

    # -- content helpers --------------------------------------------------------------------
    def task(self, task_id: str | None) -> Task | None:
        return self.content.tasks.get(task_id) if task_id else None

    def outcome(self) -> Outcome:
        state = self.state
        if self._shown_buttons:
            state = replace(state, keyboard=self.keyboard)
        return Outcome(
            profile=self.profile,
            state=state,
            progress={task_id: self.progress[task_id] for task_id in self.changed},
            replies=tuple(self.replies),
            effects=tuple(self.effects),
        )
