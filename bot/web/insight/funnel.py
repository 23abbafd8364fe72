"""A task's funnel: how many people reached each step, and how many did not get on there. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.schema import Task
from bot.store.insight import StepCounts


@dataclass(frozen=True)
class FunnelStep:
    number: int
    step_id: str
    label: str
    """The step's Dutch text, shortened."""
    reached: int
    failed: int
    """Pressed "did not work" there."""
    stuck: int
    """Got stuck there (asked for help or stopped after it did not work)."""


@dataclass(frozen=True)
class Funnel:
    task_id: str
    title: str
    started: int
    done: int
    steps: tuple[FunnelStep, ...]

    @property
    def largest(self) -> int:
        return max([self.started, self.done, *(s.reached for s in self.steps), 1])


def shorten(text: str, limit: int = 48) -> str:
    first = " ".join(text.split())
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def build(task: Task, title: str, counts: Iterable[StepCounts]) -> Funnel:
    table: dict[tuple[str, str | None], int] = {}
    for item in counts:
        table[(item.kind, item.step_id)] = table.get((item.kind, item.step_id), 0) + item.people
    steps = tuple(
        FunnelStep(
            number=index + 1,
            step_id=step.id,
            label=shorten(step.text),
            reached=table.get(("step_reached", step.id), 0),
            failed=table.get(("step_failed", step.id), 0),
            stuck=table.get(("step_stuck", step.id), 0),
        )
        for index, step in enumerate(task.steps)
    )
    started = sum(v for (kind, _), v in table.items() if kind == "task_started")
    done = sum(v for (kind, _), v in table.items() if kind == "task_done")
    return Funnel(task.id, title, started, done, steps)


CSV_HEADER = ("taak", "stap", "stap_id", "stap_tekst", "bereikt", "lukte_niet", "vastgelopen")


def csv_rows(funnel: Funnel) -> list[tuple[str | int, ...]]:
    rows: list[tuple[str | int, ...]] = [(funnel.task_id, 0, "", "gestart", funnel.started, "", "")]
    rows += [
        (funnel.task_id, s.number, s.step_id, s.label, s.reached, s.failed, s.stuck)
        for s in funnel.steps
    ]
    rows.append((funnel.task_id, len(funnel.steps) + 1, "", "klaar", funnel.done, "", ""))
    return rows
