"""Effects: what a turn asks the service layer to do, as data. The engine never does I/O itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordEvent:
    """An analytics event: what happened at which step. Never message text."""

    kind: str
    task_id: str | None = None
    step_id: str | None = None


@dataclass(frozen=True)
class ForgetConversation:
    """Participant declined consent: keep nothing about them beyond this conversation."""


Effect = RecordEvent | ForgetConversation
