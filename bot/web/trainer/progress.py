"""A class's progress per task as counts, and per person only for those who chose to share. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.content.loader import Content
from bot.store.classes import MemberProgress


@dataclass(frozen=True)
class TaskProgress:
    task_id: str
    title: str
    steps: int
    started: int
    finished: int
    busy: int
    stuck: int
    stuck_at: tuple[tuple[int, int], ...]
    """(step number, people) for those stuck, by step."""
    busy_at: tuple[tuple[int, int], ...]
    homework: bool = False


@dataclass(frozen=True)
class SharedRow:
    """One member who agreed to share: their own status per task."""

    participant_id: int
    tasks: Mapping[str, str] = field(default_factory=dict)
    """Task id -> "klaar", "vast bij stap 3", "bij stap 2"."""


def _step_number(content: Content, task_id: str, step_id: str) -> int:
    task = content.tasks.get(task_id)
    index = task.step_index(step_id) if task else None
    return (index or 0) + 1


def summarise(
    content: Content,
    rows: Iterable[MemberProgress],
    titles: Mapping[str, str],
    homework: Iterable[str] = (),
) -> tuple[list[TaskProgress], list[SharedRow]]:
    by_task: dict[str, list[MemberProgress]] = {}
    shared: dict[int, dict[str, str]] = {}
    for row in rows:
        by_task.setdefault(row.task_id, []).append(row)
        if row.shares:
            shared.setdefault(row.participant_id, {})[row.task_id] = _personal(content, row)
    wanted = set(homework)
    tasks = []
    for task_id in [*wanted - set(by_task), *by_task]:
        members = by_task.get(task_id, [])
        stuck = Counter(
            _step_number(content, task_id, r.step_id) for r in members if r.status == "stuck"
        )
        busy = Counter(
            _step_number(content, task_id, r.step_id) for r in members if r.status == "in_progress"
        )
        task = content.tasks.get(task_id)
        tasks.append(
            TaskProgress(
                task_id=task_id,
                title=titles.get(task_id, task_id),
                steps=len(task.steps) if task else 0,
                started=len(members),
                finished=sum(1 for r in members if r.status == "done"),
                busy=sum(busy.values()),
                stuck=sum(stuck.values()),
                stuck_at=tuple(sorted(stuck.items())),
                busy_at=tuple(sorted(busy.items())),
                homework=task_id in wanted,
            )
        )
    tasks.sort(key=lambda t: (not t.homework, -t.started, t.title))
    people = [SharedRow(pid, tasks_of) for pid, tasks_of in sorted(shared.items())]
    return tasks, people


def _personal(content: Content, row: MemberProgress) -> str:
    if row.status == "done":
        return "klaar"
    number = _step_number(content, row.task_id, row.step_id)
    if row.status == "stuck":
        return f"vast bij stap {number}"
    return f"bij stap {number}"
