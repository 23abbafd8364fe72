"""First contact: choosing a language and the consent question, then on to the menu."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.effects import ForgetConversation
from bot.conversation.flows.menu import show_menu
from bot.conversation.registry import action, command, intent, screen
from bot.conversation.state import Consent, Screen
from bot.conversation.turn import Turn
from bot.privacy.policy import retention_of


@screen(Screen.LANGUAGE)
def show_language_picker(turn: Turn, preselect: str | None = None) -> None:
    languages = list(turn.content.languages.languages)
    # Telegram's language_code only pre-selects: the matching language is offered first.
    if preselect:
        languages.sort(key=lambda lang: lang.code != preselect)
    buttons = [turn.raw_button(lang.name, "lang", lang.code) for lang in languages]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    turn.go(Screen.LANGUAGE)
    turn.say("language.choose", rows)


@action("lang")
def choose_language(turn: Turn, code: str) -> None:
    if code not in turn.content.language_codes:
        show_language_picker(turn)
        return
    first_time = turn.profile.language is None
    turn.profile = replace(turn.profile, language=code)
    turn.record("language_chosen")
    if turn.profile.consent is Consent.UNKNOWN:
        show_consent(turn)
    elif first_time:
        continue_after_onboarding(turn)
    else:
        turn.say("language.changed")
        show_menu(turn)


@action("language")
@command("language")
@intent("change_language")
def ask_language(turn: Turn, _: str = "") -> None:
    show_language_picker(turn)


@screen(Screen.CONSENT)
def show_consent(turn: Turn) -> None:
    """What is kept, why, for how long, who sees it, Telegram; then yes / no / under 16."""
    turn.go(Screen.CONSENT)
    turn.say("consent.text")
    say_what_is_kept(turn)
    turn.say(
        "consent.question",
        [
            [turn.button("consent.yes", "consent", "yes")],
            [turn.button("consent.no", "consent", "no")],
            [turn.button("consent.young", "consent", "young")],
        ],
    )


def say_what_is_kept(turn: Turn) -> None:
    turn.say("consent.details", months=retention_of(turn.content.extras).inactive_months)


@action("consent")
def answer_consent(turn: Turn, answer: str) -> None:
    if answer not in ("yes", "no", "young"):
        show_consent(turn)
        return
    if turn.profile.consent is Consent.GIVEN:
        if answer == "yes":
            turn.say("consent.thanks")
            show_menu(turn)
        else:
            # An old "no" button after saying yes: stopping now means erasing, which is asked first.
            from bot.conversation.flows.privacy import ask_erase

            ask_erase(turn)
        return
    if answer == "yes":
        turn.profile = replace(turn.profile, consent=Consent.GIVEN)
        turn.record("consent_given")
        turn.say("consent.thanks")
    else:
        # Under 16 is kept exactly like "no": nothing about the person beyond this conversation.
        turn.profile = replace(turn.profile, consent=Consent.DECLINED, share_with_trainer=False)
        turn.record("consent_declined" if answer == "no" else "consent_under_16")
        turn.effect(ForgetConversation())
        hours = retention_of(turn.content.extras).declined_hours
        key = "consent.declined" if answer == "no" else "consent.too_young"
        # `hours` also for `key`: a translation made while its Dutch still named the hours may
        # hold the placeholder until it is reviewed.
        text = f"{turn.t(key, hours=hours)} {turn.t('consent.forget_after', hours=hours)}"
        turn.send(text, key=key)
    continue_after_onboarding(turn)


def continue_after_onboarding(turn: Turn) -> None:
    """Go where a deep link pointed, or to the menu."""
    pending = turn.state.extra.get("open_task")
    turn.remember(open_task=None)
    if pending and pending in turn.content.tasks:
        from bot.conversation.flows.tasks import show_intro

        show_intro(turn, pending)
    else:
        show_menu(turn)
