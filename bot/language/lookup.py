"""A small interpreter that recognises task titles and glossary words in any typed text.

It needs no training data, so it is the last resort under the NLU interpreters: someone typing
"activeringscode" or "zorgtoeslag" is understood even when nothing else is running.
"""

from __future__ import annotations

import unicodedata

from bot.content import keys
from bot.content.loader import Content
from bot.conversation.inbound import Understanding
from bot.language.catalog import Catalogue


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


class LookupInterpreter:
    name = "lookup"

    def __init__(self, content: Content, catalogue: Catalogue) -> None:
        self._terms: dict[str, str] = {}
        for term in content.glossary.values():
            for word in (term.term, term.id, *term.aliases):
                self._terms[normalise(word)] = term.term
        self._tasks: dict[str, dict[str, str]] = {}
        for lang in content.language_codes:
            titles = {}
            for task in content.tasks.values():
                titles[normalise(catalogue.lookup(lang, keys.task_title(task.id)))] = task.id
                titles[normalise(task.title)] = task.id
                titles[normalise(task.id)] = task.id
            self._tasks[lang] = titles

    async def parse(self, text: str, lang: str) -> Understanding:
        return self.parse_now(text, lang)

    def parse_now(self, text: str, lang: str) -> Understanding:
        words = normalise(text)
        if not words:
            return Understanding(source=self.name)
        task_id = self._tasks.get(lang, {}).get(words)
        if task_id:
            return Understanding("ask_task", 1.0, {"task": task_id}, self.name)
        term = self._terms.get(words)
        if term is None:
            # "wat is een beschikking", "activeringscode?": the glossary word as the last word.
            term = self._terms.get(words.rsplit(" ", 1)[-1]) if " " in words else None
        if term:
            return Understanding("what_is", 0.9, {"term": term}, self.name)
        return Understanding(source=self.name)
