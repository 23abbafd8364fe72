"""The conversation engine: given a snapshot and one inbound event, decide the outcome. Pure."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from bot.content.loader import Content
from bot.conversation import flows, registry
from bot.conversation.callbacks import decode
from bot.conversation.flows import fallback
from bot.conversation.flows.menu import show_menu
from bot.conversation.flows.onboarding import (
    choose_language,
    continue_after_onboarding,
    show_consent,
    show_language_picker,
)
from bot.conversation.inbound import Command, EffectFailed, Inbound, Media, Press, Start, Text
from bot.conversation.state import Consent, Screen, Snapshot, TaskStatus
from bot.conversation.turn import Outcome, Turn
from bot.language.catalog import Catalogue
from bot.language.texts import Texts

assert flows  # the flows package registers the actions, commands and intents on import

# Actions that make sense before the participant has chosen a language and answered consent.
_ONBOARDING_ACTIONS = frozenset({"lang", "consent"})
_DEEP_LINK_TASK = "t_"
# Entity the phishing detector sets on a forwarded fake (bot/assistant.py, `_understand`).
PHISHING_SIGNAL = "phishing_signal"


class Engine:
    def __init__(self, content: Content, catalogue: Catalogue) -> None:
        self.content = content
        self.catalogue = catalogue
        rtl = {lang.code for lang in content.languages.languages if lang.rtl}
        self._texts = lru_cache(maxsize=None)(lambda lang: Texts(catalogue, lang, lang in rtl))

    def texts(self, lang: str) -> Texts:
        texts: Texts = self._texts(lang)
        return texts

    def handle(self, snapshot: Snapshot, inbound: Inbound, now: dt.datetime) -> Outcome:
        turn = Turn(self.content, self._texts, snapshot, now)
        if isinstance(inbound, Start):
            self._start(turn, inbound)
        elif isinstance(inbound, Press):
            self._press(turn, inbound)
        elif not self._onboarded(turn):
            self._onboard(turn)
        elif isinstance(inbound, Command):
            self._command(turn, inbound)
        elif isinstance(inbound, Text):
            self._text(turn, inbound)
        elif isinstance(inbound, Media):
            fallback.media(turn, inbound.kind)
        elif isinstance(inbound, EffectFailed):
            self._effect_failed(turn, inbound)
        return turn.outcome()

    # -- onboarding -------------------------------------------------------------------------
    @staticmethod
    def _onboarded(turn: Turn) -> bool:
        return turn.profile.language is not None and turn.profile.consent is not Consent.UNKNOWN

    def _onboard(self, turn: Turn) -> None:
        if turn.profile.language is None:
            show_language_picker(turn)
        else:
            show_consent(turn)

    # -- events -----------------------------------------------------------------------------
    def _start(self, turn: Turn, start: Start) -> None:
        payload = start.payload.strip()
        if payload.startswith(_DEEP_LINK_TASK):
            turn.remember(open_task=payload[len(_DEEP_LINK_TASK) :])
        handler = registry.commands.get("start_payload")
        if payload and handler is not None:
            handler(turn, payload)  # e.g. joining a trainer's class (registered by that feature)
        if turn.profile.language is None:
            if start.language in self.content.language_codes:
                assert start.language is not None
                choose_language(turn, start.language)
            else:
                show_language_picker(turn, preselect=self._preselect(start.language_hint))
            return
        if turn.profile.consent is Consent.UNKNOWN:
            show_consent(turn)
            return
        if turn.state.extra.get("open_task"):
            continue_after_onboarding(turn)
            return
        if self._resume(turn):
            return
        show_menu(turn)

    def _preselect(self, hint: str | None) -> str | None:
        if not hint:
            return None
        base = hint.lower().split("-")[0]
        for lang in self.content.languages.languages:
            if (
                base == lang.code
                or base in lang.telegram_codes
                or hint.lower() in lang.telegram_codes
            ):
                return lang.code
        return None

    def _resume(self, turn: Turn) -> bool:
        """Back in the middle of a task: say where they were and show that step again."""
        if turn.state.screen not in (Screen.STEP, Screen.OFFER) or turn.state.task_id is None:
            return False
        progress = turn.progress.get(turn.state.task_id)
        if progress is None or progress.status is TaskStatus.DONE:
            return False
        last_seen = turn.snapshot.last_seen
        days = self.content.dialogues.guided_task.days_away_before_offer
        turn.say("resume.welcome_back")
        if last_seen is not None and (turn.now - last_seen) >= dt.timedelta(days=days):
            from bot.conversation.flows.walk import offer_help

            offer_help(turn, "away")
            return True
        registry.screens[Screen.STEP](turn)
        return True

    def _press(self, turn: Turn, press: Press) -> None:
        callback = decode(press.data)
        spec = registry.actions.get(callback.action) if callback else None
        if callback is None or spec is None:
            if self._onboarded(turn):
                fallback.invalid_button(turn)
            else:
                self._onboard(turn)
            return
        if not self._onboarded(turn) and callback.action not in _ONBOARDING_ACTIONS:
            self._onboard(turn)
            return
        if spec.step_bound and callback.keyboard != turn.state.keyboard:
            fallback.stale_button(turn)
            return
        spec.handler(turn, callback.argument)

    def _command(self, turn: Turn, command: Command) -> None:
        if command.name == "start":
            self._start(turn, Start(payload=command.args))
            return
        handler = registry.commands.get(command.name)
        if handler is None or command.name == "start_payload":
            fallback.unknown_command(turn)
            return
        handler(turn, command.args)

    def _text(self, turn: Turn, text: Text) -> None:
        reader = registry.text_readers.get(turn.state.screen)
        if text.secrets_removed:
            fallback.secrets_warning(turn)
            signal = text.understanding.entities.get(PHISHING_SIGNAL, "")
            phishing = registry.intents.get("phishing_check")
            if signal and reader is None and phishing is not None:
                # A forwarded fake often asks for exactly the secret it carries: after the
                # warning, the phishing guide, so the participant learns not to answer it.
                phishing(turn, signal)
            else:
                fallback.show_current(turn)
            return
        if reader is not None:
            # A screen that asked for free text gets it as it is, before any intent.
            reader(turn, text.text)
            return
        understanding = text.understanding
        handler = registry.intents.get(understanding.intent or "")
        if handler is None:
            fallback.not_understood(turn)
            return
        value = next(iter(understanding.entities.values()), "")
        handler(turn, value)

    @staticmethod
    def _effect_failed(turn: Turn, failed: EffectFailed) -> None:
        handler = registry.failures.get(failed.reason)
        if handler is None:
            fallback.show_current(turn)
            return
        handler(turn, failed.detail)
