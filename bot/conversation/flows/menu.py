"""The main menu and the help text; the menu's items come from dialogues/flows.yml."""

from __future__ import annotations

from bot.conversation.registry import action, command, intent, screen
from bot.conversation.state import Screen
from bot.conversation.turn import Turn


@screen(Screen.MENU)
def show_menu(turn: Turn, _: str = "") -> None:
    menu = turn.content.dialogues.menus["main"]
    rows = [[turn.button(item.label, item.action)] for item in menu.items]
    turn.go(Screen.MENU, task_id=None, step_id=None)
    turn.say(menu.text, rows)


action("menu")(show_menu)
command("menu")(show_menu)
intent("show_menu")(show_menu)


@screen(Screen.HELP)
def show_help(turn: Turn, _: str = "") -> None:
    turn.go(Screen.HELP)
    turn.say("help.text", [[turn.button("nav.tasks", "tasks")], [turn.button("nav.menu", "menu")]])


action("help")(show_help)
command("help")(show_help)


@intent("greet")
def greet(turn: Turn, _: str = "") -> None:
    turn.say("smalltalk.greet")
    show_menu(turn)


@intent("thanks")
def thanks(turn: Turn, _: str = "") -> None:
    turn.say("smalltalk.thanks", [[turn.button("nav.menu", "menu")]])


@intent("goodbye")
def goodbye(turn: Turn, _: str = "") -> None:
    turn.say("smalltalk.goodbye", [[turn.button("nav.menu", "menu")]])
