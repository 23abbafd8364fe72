"""Builds the running assistant from settings: content, catalogues, database, interpreter."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from bot.appointments.overrides import install_from as install_branch_settings
from bot.assistant import Assistant, Redaction
from bot.clock import Clock, SystemClock
from bot.content.loader import Content, load_content
from bot.content.root import content_root
from bot.conversation.engine import Engine
from bot.language.catalog import Catalogue
from bot.language.interpreter import Interpreter
from bot.language.select import choose_interpreter, close_interpreter
from bot.language.translators import translator_from_settings
from bot.privacy.phishing import PhishingDetector
from bot.privacy.policy import CONTENT_KEY, RetentionPolicy
from bot.privacy.redact import Redactor
from bot.settings import Settings
from bot.store.db import Database
from bot.store.translation_cache import TranslationCache
from bot.store.turns import TurnStore

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    content: Content
    catalogue: Catalogue
    engine: Engine
    db: Database
    assistant: Assistant
    clock: Clock

    async def close(self) -> None:
        await close_interpreter(self.assistant.interpreter)
        close_translator = getattr(self.assistant.translator, "aclose", None)
        if close_translator is not None:
            await close_translator()
        await self.db.close()


def load_everything(
    root: Path | None = None, retention: RetentionPolicy | None = None
) -> tuple[Content, Catalogue, Engine]:
    content = load_content(root or content_root())
    if retention is not None:
        # The consent text says how long data is kept: the configured periods, not the defaults.
        content = replace(content, extras={**content.extras, CONTENT_KEY: retention})
    catalogue = Catalogue.load(content)
    return content, catalogue, Engine(content, catalogue)


async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interpreter: Interpreter | None = None,
    migrate: bool = True,
) -> App:
    content, catalogue, engine = load_everything(retention=RetentionPolicy.from_settings(settings))
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
        # Opening hours, appointment windows and closures staff changed in the dashboard.
        await install_branch_settings(content, db)
    clock = clock or SystemClock()
    redactor = Redactor.from_file(content.root / "knowledge" / "safety" / "secret_words.yml")

    def redact(text: str) -> Redaction:
        redacted = redactor.redact(text)
        return Redaction(redacted.text, redacted.sensitive)

    assistant = Assistant(
        engine=engine,
        store=TurnStore(db),
        # Rasa (RASA_URL) first, the built-in interpreter when it is not there or not answering,
        # task titles and glossary words as the last resort.
        interpreter=interpreter or choose_interpreter(settings, content, catalogue),
        clock=clock,
        redact=redact,
        # Off unless TRANSLATOR is set: staff then see the participant's own words.
        translator=translator_from_settings(
            settings,
            redact=lambda text: redactor.redact(text).text,
            cache=TranslationCache(db, clock),
        ),
        spot_phishing=PhishingDetector.from_files(
            content.root / "knowledge" / "safety" / "phishing.yml",
            content.root / "knowledge" / "official_domains.yml",
        ).check,
    )
    return App(settings, content, catalogue, engine, db, assistant, clock)
