"""Finding the task or glossary word someone means in typed text, by lookup of known phrases.

The phrases come from the content (task ids and titles in every language, glossary words and
their aliases) and from the spans annotated in the NLU training data ("[zorgtoesla](task)",
"[دیجی دی](task)"), so the built-in and the Rasa interpreter name the same stable ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from bot.content import keys
from bot.content.loader import Content
from bot.language.catalog import Catalogue
from bot.language.nlu_eval import Example
from bot.language.normalise import normalise

TASK = "task"
TERM = "term"
# Dice similarity of character trigrams above which a misspelt phrase still counts.
FUZZY_MIN = 0.72
_MAX_WINDOW = 4


def _trigrams(phrase: str) -> frozenset[str]:
    padded = f" {phrase} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


class PhraseTable:
    """Normalised phrase -> value; the longest phrase found in a text wins."""

    def __init__(self, phrases: Mapping[str, str]) -> None:
        self._phrases = {p: v for p, v in phrases.items() if p}
        self._by_first_word: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for phrase, value in self._phrases.items():
            self._by_first_word[phrase.split(" ", 1)[0]].append((phrase, value))
        for candidates in self._by_first_word.values():
            candidates.sort(key=lambda item: -len(item[0]))
        self._grams = {phrase: _trigrams(phrase) for phrase in self._phrases}
        self._index: dict[str, list[str]] = defaultdict(list)
        for phrase, grams in self._grams.items():
            for gram in grams:
                self._index[gram].append(phrase)

    def __len__(self) -> int:
        return len(self._phrases)

    def exact(self, text: str) -> str | None:
        """The value of the longest known phrase in `text` (already normalised), word-bounded."""
        words = text.split()
        padded = f" {text} "
        best: tuple[int, str] | None = None
        for word in set(words):
            for phrase, value in self._by_first_word.get(word, ()):
                if best is not None and len(phrase) <= best[0]:
                    break
                if f" {phrase} " in padded:
                    best = (len(phrase), value)
                    break
        return best[1] if best else None

    def fuzzy(self, text: str) -> str | None:
        """Like `exact`, for misspellings: the most similar phrase over a window of words."""
        words = text.split()
        best: tuple[float, int, str] | None = None
        for size in range(1, min(_MAX_WINDOW, len(words)) + 1):
            for start in range(len(words) - size + 1):
                window = " ".join(words[start : start + size])
                grams = _trigrams(window)
                shared: Counter[str] = Counter()
                for gram in grams:
                    shared.update(self._index.get(gram, ()))
                for phrase, common in shared.items():
                    dice = 2 * common / (len(grams) + len(self._grams[phrase]))
                    candidate = (dice, len(phrase), self._phrases[phrase])
                    if dice >= FUZZY_MIN and (best is None or candidate[:2] > best[:2]):
                        best = candidate
        return best[2] if best else None

    def find(self, text: str) -> str | None:
        return self.exact(text) or self.fuzzy(text)


class EntityFinder:
    """The `task` (a stable task id) and `term` (a glossary word) mentioned in a text."""

    def __init__(self, tasks: Mapping[str, str], terms: Mapping[str, str]) -> None:
        self.tasks = PhraseTable(tasks)
        self.terms = PhraseTable(terms)

    @classmethod
    def from_content(
        cls, content: Content, catalogue: Catalogue, examples: Iterable[Example] = ()
    ) -> EntityFinder:
        terms: dict[str, str] = {}
        for term in content.glossary.values():
            for word in (term.id, term.term, *term.aliases):
                terms[normalise(word)] = term.term
        # Annotated spans: the words people really use, in their own language too. A span that
        # names several tasks in different examples goes to the task it names most often.
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for example in examples:
            for entity in example.entities:
                span = normalise(example.text[entity.start : entity.end])
                if entity.entity == TASK and entity.value in content.tasks:
                    votes[span][entity.value] += 1
                elif entity.entity == TERM and span not in terms:
                    known = terms.get(normalise(entity.value))
                    if known:
                        terms[span] = known
        tasks = {span: counts.most_common(1)[0][0] for span, counts in votes.items()}
        for task in content.tasks.values():
            # Titles and ids are the surest names: they win over a span seen in an example.
            tasks[normalise(task.id)] = task.id
            tasks[normalise(task.title)] = task.id
            for lang in content.language_codes:
                tasks[normalise(catalogue.lookup(lang, keys.task_title(task.id)))] = task.id
        return cls(tasks, terms)

    def find(self, kind: str, text: str) -> str | None:
        """`kind` is "task" or "term"; `text` is already normalised."""
        table = self.tasks if kind == TASK else self.terms if kind == TERM else None
        return table.find(text) if table is not None else None
