"""Walking a task step by step: done / didn't work / I'm stuck, another explanation, the offer."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from bot.content import keys
from bot.content.schema import Step, Task
from bot.conversation.flows.guards import needs
from bot.conversation.flows.menu import show_menu
from bot.conversation.registry import action, intent, screen
from bot.conversation.replies import Button, Link
from bot.conversation.state import Progress, Screen, TaskStatus
from bot.conversation.turn import Turn

MAX_TERM_BUTTONS = 3


@action("start")
def start_task(turn: Turn, task_id: str) -> None:
    task = turn.task(task_id)
    if task is None:
        turn.say("tasks.unknown")
        show_menu(turn)
        return
    progress = turn.progress.get(task.id)
    if progress is None or progress.status is TaskStatus.DONE:
        first = task.steps[0].id
        progress = Progress(
            task_id=task.id,
            step_id=first,
            status=TaskStatus.IN_PROGRESS,
            started_at=turn.now,
            updated_at=turn.now,
        )
        turn.set_progress(progress)
        turn.record("task_started", task.id, first)
        turn.record("step_reached", task.id, first)
    step = current_step(task, progress.step_id)
    show_step(turn, task, step)


def current_step(task: Task, step_id: str | None) -> Step:
    index = task.step_index(step_id) if step_id else None
    # A step removed from the content since: continue at the start rather than fail.
    return task.steps[index or 0]


def show_step(turn: Turn, task: Task, step: Step) -> None:
    index = task.step_index(step.id) or 0
    lines = [
        turn.t(
            "step.header",
            number=index + 1,
            total=len(task.steps),
            title=turn.t(keys.task_title(task.id)),
        ),
        turn.t(keys.step_field(task.id, step.id, "text")),
    ]
    if step.label:
        lines.append(turn.t("step.label", label=step.label))
    lines.append(turn.t(keys.step_field(task.id, step.id, "check")))
    links = [Link(turn.t("step.link"), step.url)] if step.url else []
    rows = step_buttons(turn)
    terms = [turn.content.glossary[t] for t in step.terms[:MAX_TERM_BUTTONS]]
    if terms:
        rows.insert(-1, [turn.raw_button(f"❓ {term.term}", "term", term.id) for term in terms])
    turn.go(Screen.STEP, task_id=task.id, step_id=step.id, misunderstood=0)
    turn.send("\n\n".join(lines), rows, links, key="step.header")


def step_buttons(turn: Turn) -> list[list[Button]]:
    return [
        [turn.button(button.label, button.action) for button in row]
        for row in turn.content.dialogues.guided_task.step_buttons
    ]


class Walk(NamedTuple):
    """Where a participant is in a task."""

    task: Task
    step: Step
    progress: Progress


def walking(turn: Turn) -> Walk | None:
    """The task and step the participant is on, or None when they are not walking a task."""
    task = turn.task(turn.state.task_id)
    if task is None:
        return None
    progress = turn.progress.get(task.id)
    if progress is None:
        return None
    return Walk(task, current_step(task, turn.state.step_id or progress.step_id), progress)


def ids_of(walk: Walk | None) -> tuple[str | None, str | None]:
    """The task and step ids that events and handovers refer to; None outside a task."""
    return (walk.task.id, walk.step.id) if walk else (None, None)


# A step's buttons stay in the chat after the task is finished or gone from the content:
# pressed then, they show the menu.
on_a_step = needs(walking, otherwise=show_menu)


@action("done", step_bound=True)
@on_a_step
def step_done(turn: Turn, walk: Walk) -> None:
    task, step, progress = walk
    turn.record("step_done", task.id, step.id)
    if step.wait:
        turn.say(keys.step_field(task.id, step.id, "wait"))
    index = task.step_index(step.id) or 0
    if index + 1 >= len(task.steps):
        finish_task(turn, task, progress)
        return
    following = task.steps[index + 1]
    turn.set_progress(
        replace(progress, step_id=following.id, status=TaskStatus.IN_PROGRESS, updated_at=turn.now)
    )
    turn.record("step_reached", task.id, following.id)
    show_step(turn, task, following)


def finish_task(turn: Turn, task: Task, progress: Progress) -> None:
    turn.set_progress(
        replace(progress, status=TaskStatus.DONE, updated_at=turn.now, completed_at=turn.now)
    )
    turn.record("task_done", task.id)
    title = turn.t(keys.task_title(task.id))
    rows = []
    for candidate in turn.content.tasks.values():
        done = turn.progress.get(candidate.id)
        if task.id in candidate.prerequisites and not (done and done.status is TaskStatus.DONE):
            candidate_title = turn.t(keys.task_title(candidate.id))
            rows.append([turn.button("done.next", "task", candidate.id, title=candidate_title)])
    rows = rows[:3]
    rows.append([turn.button("nav.my_tasks", "overview"), turn.button("nav.menu", "menu")])
    turn.go(Screen.MENU, task_id=None, step_id=None)
    turn.say("done.text", rows, title=title)


@action("failed", step_bound=True)
@on_a_step
def step_failed(turn: Turn, walk: Walk) -> None:
    task, step, progress = walk
    failures = dict(progress.failures)
    failures[step.id] = failures.get(step.id, 0) + 1
    progress = replace(progress, failures=failures, updated_at=turn.now)
    turn.set_progress(progress)
    turn.record("step_failed", task.id, step.id)
    if failures[step.id] >= turn.content.dialogues.guided_task.failures_before_offer:
        offer_help(turn, "failed")
        return
    problems = [p for p in task.problems if p.step == step.id]
    if problems:
        for problem in problems:
            turn.send(
                "\n".join(
                    (
                        turn.t(
                            "failed.problem",
                            problem=turn.t(keys.problem_field(task.id, problem.id, "text")),
                        ),
                        turn.t(keys.problem_field(task.id, problem.id, "fix")),
                    )
                ),
                key="failed.problem",
            )
    elif step.more:
        turn.say(keys.step_field(task.id, step.id, "more"))
    else:
        turn.say("failed.generic")
    show_step(turn, task, step)


@action("library_help")
@intent("need_help", "talk_to_person")
def library_help(turn: Turn, _: str = "") -> None:
    """Until booking exists this tells people where the library's help desk is."""
    walk = walking(turn)
    if walk is not None:
        turn.record("person_requested", walk.task.id, walk.step.id)
    turn.say("offer.library", [[turn.button("nav.menu", "menu")]])


@action("stuck", step_bound=True)
@needs(walking, otherwise=library_help)
def step_stuck(turn: Turn, walk: Walk) -> None:
    task, step, progress = walk
    turn.set_progress(replace(progress, status=TaskStatus.STUCK, updated_at=turn.now))
    turn.record("step_stuck", task.id, step.id)
    offer_help(turn, "stuck")


@screen(Screen.OFFER)
def show_offer(turn: Turn) -> None:
    offer_help(turn, turn.state.extra.get("offer_reason", "stuck"), record=False)


def offer_help(turn: Turn, reason: str, record: bool = True) -> None:
    """The offer after getting stuck: another explanation where there is one, or a person."""
    walk = walking(turn)
    rows = []
    if walk is not None:
        task, step, _ = walk
        if record:
            turn.record("help_offered", task.id, step.id)
        if step.more:
            rows.append([turn.button("offer.more", "more")])
    rows.append([turn.button("offer.person", "library_help")])
    if walk is not None:
        rows.append([turn.button("offer.retry", "retry")])
    rows.append([turn.button("nav.menu", "menu")])
    turn.go(Screen.OFFER)
    turn.remember(offer_reason=reason)
    turn.say(f"offer.{reason}", rows)


@action("more")
@on_a_step
def more_explanation(turn: Turn, walk: Walk) -> None:
    task, step, _ = walk
    if step.more:
        turn.say(keys.step_field(task.id, step.id, "more"))
    show_step(turn, task, step)


@action("retry")
@on_a_step
def retry_step(turn: Turn, walk: Walk) -> None:
    task, step, progress = walk
    if progress.status is TaskStatus.STUCK:
        turn.set_progress(replace(progress, status=TaskStatus.IN_PROGRESS, updated_at=turn.now))
    show_step(turn, task, step)


@action("back", step_bound=True)
@on_a_step
def step_back(turn: Turn, walk: Walk) -> None:
    task, step, progress = walk
    index = task.step_index(step.id) or 0
    if index == 0:
        from bot.conversation.flows.tasks import show_intro

        show_intro(turn, task.id)
        return
    previous = task.steps[index - 1]
    turn.set_progress(replace(progress, step_id=previous.id, updated_at=turn.now))
    show_step(turn, task, previous)


@screen(Screen.STEP)
@on_a_step
def resume(turn: Turn, walk: Walk) -> None:
    show_step(turn, walk.task, walk.step)


@intent("affirm")
def affirm(turn: Turn, value: str = "") -> None:
    if turn.state.screen is Screen.STEP:
        step_done(turn, value)
    elif turn.state.screen is Screen.CONSENT:
        # A typed "yes" cannot say "I am 16 or older": consent needs the button that says so.
        from bot.conversation.flows.onboarding import show_consent

        show_consent(turn)
    else:
        from bot.conversation.flows.fallback import not_understood

        not_understood(turn)


@intent("deny")
def deny(turn: Turn, value: str = "") -> None:
    if turn.state.screen is Screen.STEP:
        step_failed(turn, value)
    elif turn.state.screen is Screen.CONSENT:
        from bot.conversation.flows.onboarding import answer_consent

        answer_consent(turn, "no")
    else:
        from bot.conversation.flows.fallback import not_understood

        not_understood(turn)
