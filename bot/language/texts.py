"""Renders catalogue messages in one participant's language, with placeholders and isolates."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.language.bidi import isolate, isolate_ltr_runs
from bot.language.catalog import Catalogue

_PLACEHOLDER = re.compile(r"(\{[a-z_]+\})")


class Texts:
    """Message lookup bound to one language; `texts("menu.title", name=...)`."""

    def __init__(self, catalogue: Catalogue, lang: str, rtl: bool) -> None:
        self.catalogue = catalogue
        self.lang = lang
        self.rtl = rtl
        self._template = lru_cache(maxsize=4096)(self._prepare)

    def __call__(self, key: str, **params: object) -> str:
        template = self._template(key)
        if not params:
            return template
        values = {name: self._value(value) for name, value in params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not cost the participant their answer:
            # fall back to the Dutch source, whose placeholders `content check` guarantees.
            return self.catalogue.source[key].format(**values)

    def _prepare(self, key: str) -> str:
        text = self.catalogue.lookup(self.lang, key)
        if not self.rtl:
            return text
        # Isolate the Latin runs of the template, but never a {placeholder}: its value is
        # isolated on its own when it is filled in.
        parts = _PLACEHOLDER.split(text)
        return "".join(p if _PLACEHOLDER.fullmatch(p) else isolate_ltr_runs(p) for p in parts)

    def _value(self, value: object) -> str:
        text = str(value)
        if self.rtl and text and not text[0].isspace() and _has_ltr(text):
            return isolate(text)
        return text


def _has_ltr(text: str) -> bool:
    return any(c.isascii() and c.isalnum() for c in text)
