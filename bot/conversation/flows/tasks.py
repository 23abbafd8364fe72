"""The list of government tasks and a task's introduction (goal, DigiD level, what comes first)."""

from __future__ import annotations

from bot.content import keys
from bot.content.schema import DigiDLevel
from bot.conversation.registry import action, command, intent, screen
from bot.conversation.state import Screen, TaskStatus
from bot.conversation.turn import Turn


@screen(Screen.TASKS)
def show_task_list(turn: Turn, _: str = "") -> None:
    rows = []
    for task in turn.content.tasks.values():
        progress = turn.progress.get(task.id)
        mark = "✅ " if progress and progress.status is TaskStatus.DONE else ""
        rows.append([turn.raw_button(mark + turn.t(keys.task_title(task.id)), "task", task.id)])
    rows.append([turn.button("nav.menu", "menu")])
    turn.go(Screen.TASKS, task_id=None, step_id=None)
    turn.say("tasks.choose", rows)


action("tasks")(show_task_list)
command("tasks")(show_task_list)


@action("task")
def show_intro(turn: Turn, task_id: str) -> None:
    task = turn.task(task_id)
    if task is None:
        turn.say("tasks.unknown")
        show_task_list(turn)
        return
    title = turn.t(keys.task_title(task.id))
    lines = [
        turn.t("intro.heading", title=title),
        turn.t(keys.task_goal(task.id)),
        turn.t(keys.task_for_whom(task.id)),
        turn.t(f"digid.level.{task.digid_level.value}"),
    ]
    rows = []
    missing = [
        prerequisite
        for prerequisite in task.prerequisites
        if (p := turn.progress.get(prerequisite)) is None or p.status is not TaskStatus.DONE
    ]
    for prerequisite in missing:
        prerequisite_title = turn.t(keys.task_title(prerequisite))
        lines.append(turn.t("intro.prerequisite", title=prerequisite_title))
        rows.append(
            [
                turn.button(
                    "intro.start_prerequisite", "task", prerequisite, title=prerequisite_title
                )
            ]
        )
    if task.digid_level in (DigiDLevel.MIDDEN, DigiDLevel.SUBSTANTIEEL, DigiDLevel.BASIS):
        lines.append(turn.t("safety.never_share_password"))
    progress = turn.progress.get(task.id)
    if progress and progress.status is not TaskStatus.DONE:
        index = task.step_index(progress.step_id) or 0
        start_label = turn.t("intro.continue", number=index + 1, total=len(task.steps))
    elif progress:
        start_label = turn.t("intro.again")
    else:
        start_label = turn.t("intro.start")
    rows.insert(0, [turn.raw_button(start_label, "start", task.id)])
    rows.append([turn.button("nav.tasks", "tasks"), turn.button("nav.menu", "menu")])
    turn.go(Screen.INTRO, task_id=task.id, step_id=None)
    turn.send("\n\n".join(lines), rows, key="intro.heading")


@intent("ask_task")
def ask_task(turn: Turn, task_id: str) -> None:
    if task_id in turn.content.tasks:
        show_intro(turn, task_id)
    else:
        show_task_list(turn)


@intent("phishing_check")
def phishing_check(turn: Turn, _: str = "") -> None:
    ask_task(turn, "nepberichten-herkennen")


@screen(Screen.INTRO)
def _render_intro(turn: Turn) -> None:
    if turn.state.task_id:
        show_intro(turn, turn.state.task_id)
    else:
        show_task_list(turn)
