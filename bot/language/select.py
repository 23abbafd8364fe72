"""Choosing the interpreter from the settings: Rasa when RASA_URL is set, else the built-in one.

Whatever is chosen, the layers are the same: Rasa (if configured) answers first; when it is not
configured, not answering or its breaker is open, the built-in interpreter answers instead; when
neither recognised an intent, the lookup of task titles and glossary words is the last resort.
`Understanding.source` says which layer answered.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.content.loader import Content
from bot.conversation.inbound import Understanding
from bot.language.builtin import BuiltinInterpreter, nlu_files
from bot.language.catalog import Catalogue
from bot.language.lookup import LookupInterpreter
from bot.language.rasa import RasaInterpreter
from bot.settings import Settings

log = logging.getLogger(__name__)


class LayeredInterpreter:
    name = "layered"

    def __init__(
        self,
        builtin: BuiltinInterpreter,
        lookup: LookupInterpreter | None = None,
        rasa: RasaInterpreter | None = None,
    ) -> None:
        self.builtin = builtin
        self.lookup = lookup
        self.rasa = rasa

    async def parse(self, text: str, lang: str) -> Understanding:
        understanding = await self.rasa.ask(text, lang) if self.rasa is not None else None
        if understanding is None:
            understanding = self.builtin.parse_now(text, lang)
        if understanding.intent is None and self.lookup is not None:
            looked_up = self.lookup.parse_now(text, lang)
            if looked_up.intent is not None:
                return looked_up
        return understanding

    async def aclose(self) -> None:
        if self.rasa is not None:
            await self.rasa.aclose()


_built: dict[Path, tuple[tuple[int, ...], BuiltinInterpreter]] = {}


def builtin_interpreter(content: Content, catalogue: Catalogue) -> BuiltinInterpreter:
    """The built-in interpreter for this content, built once per process (it is immutable).

    Building reads and indexes ~3,000 examples (a few hundred ms); an app built again in the
    same process (tests, `wegwijs` commands) reuses it unless the training files changed.
    """
    signature = tuple(p.stat().st_mtime_ns for p in nlu_files(content.root).values())
    cached = _built.get(content.root)
    if cached is not None and cached[0] == signature:
        return cached[1]
    builtin = BuiltinInterpreter.load(content, catalogue)
    _built[content.root] = (signature, builtin)
    return builtin


def choose_interpreter(
    settings: Settings, content: Content, catalogue: Catalogue
) -> LayeredInterpreter:
    builtin = builtin_interpreter(content, catalogue)
    rasa = None
    if settings.rasa_url:
        rasa = RasaInterpreter(
            settings.rasa_url, entities=builtin.entities, known_tasks=frozenset(content.tasks)
        )
    log.info(
        "interpreter chosen",
        extra={"interpreter": "rasa+builtin" if rasa else "builtin", "rasa_url": settings.rasa_url},
    )
    return LayeredInterpreter(builtin, LookupInterpreter(content, catalogue), rasa)


async def close_interpreter(interpreter: object) -> None:
    """Close an interpreter's connections, if it holds any."""
    close = getattr(interpreter, "aclose", None)
    if close is not None:
        await close()
