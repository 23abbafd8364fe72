"""/privacy, /mydata and /delete: what is kept and the participant's choices about it; and the
phishing guide opened with a warning when a message looks like a forwarded fake."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.effects import ErasePersonalData, ExportPersonalData
from bot.conversation.flows.menu import show_menu
from bot.conversation.flows.onboarding import say_what_is_kept
from bot.conversation.flows.tasks import show_intro
from bot.conversation.registry import action, command, intent, screen
from bot.conversation.state import Consent, ConversationState, Profile, Screen
from bot.conversation.turn import Turn
from bot.privacy.policy import retention_of

PHISHING_TASK = "nepberichten-herkennen"
MYDATA_REPLY = "privacy.mydata.ready"


@screen(Screen.PRIVACY)
def show_privacy(turn: Turn, _: str = "") -> None:
    turn.go(Screen.PRIVACY, task_id=None, step_id=None)
    say_what_is_kept(turn)
    lines = [turn.t("privacy.heading")]
    if turn.profile.consent is Consent.GIVEN:
        lines.append(turn.t("privacy.status_given"))
        sharing = turn.profile.share_with_trainer
        lines.append(turn.t("privacy.share_on" if sharing else "privacy.share_off"))
        rows = [
            [
                turn.button("privacy.button.share_off", "share", "off")
                if sharing
                else turn.button("privacy.button.share_on", "share", "on")
            ],
            [turn.button("privacy.button.mydata", "mydata")],
            [turn.button("privacy.button.delete", "delete")],
        ]
    else:
        hours = retention_of(turn.content.extras).declined_hours
        lines.append(turn.t("privacy.status_declined", hours=hours))
        rows = [
            [turn.button("privacy.button.consent", "consent", "yes")],
            [turn.button("privacy.button.delete", "delete")],
        ]
    rows.append([turn.button("nav.menu", "menu")])
    turn.send("\n\n".join(lines), rows, key="privacy.heading")


action("privacy")(show_privacy)
command("privacy")(show_privacy)
intent("privacy")(show_privacy)


@action("share")
def share_with_trainer(turn: Turn, choice: str) -> None:
    """A separate choice from consent: the trainer sees this person's own progress, by name."""
    if turn.profile.consent is not Consent.GIVEN or choice not in ("on", "off"):
        show_privacy(turn)
        return
    sharing = choice == "on"
    turn.profile = replace(turn.profile, share_with_trainer=sharing)
    turn.record("trainer_sharing_on" if sharing else "trainer_sharing_off")
    turn.go(Screen.PRIVACY, task_id=None, step_id=None)
    turn.say(
        "privacy.shared" if sharing else "privacy.unshared",
        [[turn.button("privacy.button.back", "privacy")], [turn.button("nav.menu", "menu")]],
    )


@action("mydata")
@command("mydata")
@command("mijngegevens")
@intent("my_data")
def send_my_data(turn: Turn, _: str = "") -> None:
    turn.record("data_exported")
    turn.effect(ExportPersonalData(attach_to=MYDATA_REPLY))
    turn.go(Screen.PRIVACY, task_id=None, step_id=None)
    turn.say(
        MYDATA_REPLY,
        [[turn.button("privacy.button.back", "privacy")], [turn.button("nav.menu", "menu")]],
    )


@screen(Screen.ERASE)
def ask_erase(turn: Turn, _: str = "") -> None:
    turn.go(Screen.ERASE, task_id=None, step_id=None)
    turn.say(
        "privacy.delete.ask",
        [
            [turn.button("privacy.delete.yes", "erase", "yes")],
            [turn.button("privacy.delete.no", "erase", "no")],
        ],
    )


action("delete")(ask_erase)
command("delete")(ask_erase)
command("verwijder")(ask_erase)
intent("delete_my_data")(ask_erase)
intent("privacy_delete")(ask_erase)  # the intent's name in the NLU training data


# Step-bound: only the newest "yes, erase" counts, never one left on an older message.
@action("erase", step_bound=True)
def answer_erase(turn: Turn, answer: str) -> None:
    if turn.state.screen is not Screen.ERASE or answer != "yes":
        turn.say("privacy.delete.kept")
        show_menu(turn)
        return
    # Said in their language before the profile is gone; after this turn nothing is left.
    turn.say("privacy.delete.done")
    turn.effect(ErasePersonalData())
    turn.profile = Profile()
    turn.state = ConversationState()
    turn.progress.clear()
    turn.changed.clear()
    turn.record("data_erased")


@intent("phishing_check")
def phishing_check(turn: Turn, signal: str = "") -> None:
    """The phishing guide; with a warning first when the message itself looks like a fake.

    `signal` is set by the phishing detector (bot/privacy/phishing.py); someone who only asks
    about fake messages gets the guide without being told their message is one."""
    if signal:
        turn.record("phishing_suspected")
        turn.say("safety.phishing_warning")
    if PHISHING_TASK in turn.content.tasks:
        show_intro(turn, PHISHING_TASK)
    else:
        show_menu(turn)
