"""Stable catalogue keys for every translatable text in the content.

A key names *where* a text lives (task, step, field), never what it says, so fixing a Dutch typo
keeps the eight translations attached: they are marked outdated instead of silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.schema import GlossaryTerm, Task


def task_title(task_id: str) -> str:
    return f"task.{_k(task_id)}.title"


def task_goal(task_id: str) -> str:
    return f"task.{_k(task_id)}.goal"


def task_for_whom(task_id: str) -> str:
    return f"task.{_k(task_id)}.for_whom"


def step_field(task_id: str, step_id: str, field: str) -> str:
    return f"task.{_k(task_id)}.step.{_k(step_id)}.{field}"


def problem_field(task_id: str, problem_id: str, field: str) -> str:
    return f"task.{_k(task_id)}.problem.{_k(problem_id)}.{field}"


def bring_item(task_id: str, item_id: str) -> str:
    return f"task.{_k(task_id)}.bring.{_k(item_id)}"


def glossary_explanation(term_id: str) -> str:
    return f"glossary.{_k(term_id)}.explanation"


def _k(slug: str) -> str:
    # Keys use dots as separators; slugs use dashes, which gettext tools handle fine.
    return slug.replace(".", "_")


def task_texts(task: Task) -> Iterator[tuple[str, str]]:
    """Every (key, Dutch source) pair of one task guide, in reading order."""
    yield task_title(task.id), task.title
    yield task_goal(task.id), task.goal
    yield task_for_whom(task.id), task.for_whom
    for step in task.steps:
        yield step_field(task.id, step.id, "text"), step.text
        yield step_field(task.id, step.id, "check"), step.check
        if step.more:
            yield step_field(task.id, step.id, "more"), step.more
        if step.wait:
            yield step_field(task.id, step.id, "wait"), step.wait.text
    for problem in task.problems:
        yield problem_field(task.id, problem.id, "text"), problem.text
        yield problem_field(task.id, problem.id, "fix"), problem.fix
    for item in task.bring:
        yield bring_item(task.id, item.id), item.text


def glossary_texts(term: GlossaryTerm) -> Iterator[tuple[str, str]]:
    yield glossary_explanation(term.id), term.explanation
