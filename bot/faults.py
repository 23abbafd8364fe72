"""What a participant hears when the database is down: "try again in a moment", without the DB.

Nothing about the participant can be read then, not even their language. Channels pass what they
know (Telegram's language_code); without it the sentence comes in Dutch and English.
"""

from __future__ import annotations

from bot.conversation.engine import Engine
from bot.conversation.replies import Reply

TRY_AGAIN = "system.try_again"
FALLBACK_SECOND_LANGUAGE = "en"


def language_from_hint(engine: Engine, hint: str | None) -> str | None:
    """One of our languages from a channel's hint ("ar", "fa-IR", "pt-br"), or None."""
    if not hint:
        return None
    wanted = hint.casefold()
    base = wanted.split("-")[0].split("_")[0]
    for language in engine.content.languages.languages:
        codes = {code.casefold() for code in language.telegram_codes}
        if wanted == language.code or base == language.code or wanted in codes or base in codes:
            return language.code
    return None


def try_again(engine: Engine, language: str | None = None) -> tuple[Reply, ...]:
    """The reply for a turn that could not be saved; needs only the catalogues in memory."""
    known = language_from_hint(engine, language)
    if known is not None:
        return (Reply(engine.texts(known)(TRY_AGAIN), key=TRY_AGAIN),)
    source = engine.content.languages.source
    texts = [engine.texts(source)(TRY_AGAIN)]
    if FALLBACK_SECOND_LANGUAGE in engine.content.language_codes:
        second = engine.texts(FALLBACK_SECOND_LANGUAGE)(TRY_AGAIN)
        if second not in texts:  # not translated yet: the Dutch once is enough
            texts.append(second)
    return (Reply("\n\n".join(texts), key=TRY_AGAIN),)
