"""'My tasks': what the participant started, where they are, and a button to continue each."""

from __future__ import annotations

from bot.content import keys
from bot.conversation.registry import action, intent, screen
from bot.conversation.state import Screen, TaskStatus
from bot.conversation.turn import Turn


@screen(Screen.OVERVIEW)
def show_overview(turn: Turn, _: str = "") -> None:
    turn.go(Screen.OVERVIEW, task_id=None, step_id=None)
    started = [
        (task, turn.progress[task.id])
        for task in turn.content.tasks.values()
        if task.id in turn.progress
    ]
    if not started:
        turn.say(
            "overview.empty",
            [[turn.button("nav.tasks", "tasks")], [turn.button("nav.menu", "menu")]],
        )
        return
    lines = [turn.t("overview.heading")]
    rows = []
    for task, progress in started:
        title = turn.t(keys.task_title(task.id))
        if progress.status is TaskStatus.DONE:
            lines.append(turn.t("overview.done", title=title))
            continue
        number = (task.step_index(progress.step_id) or 0) + 1
        key = "overview.stuck" if progress.status is TaskStatus.STUCK else "overview.in_progress"
        lines.append(turn.t(key, title=title, number=number, total=len(task.steps)))
        rows.append([turn.button("overview.continue", "start", task.id, title=title)])
    rows.append([turn.button("nav.tasks", "tasks"), turn.button("nav.menu", "menu")])
    turn.send("\n".join(lines), rows, key="overview.heading")


action("overview")(show_overview)
intent("my_progress")(show_overview)
