"""The built-in interpreter: intents by character n-gram similarity to the NLU training examples.

No Rasa needed. It reads the same `dialogues/nlu/<lang>.yml` files Rasa trains on, once at start,
and compares a message with every example of the participant's language (TF-IDF weighted
character n-grams, cosine similarity, nearest examples per intent). When the own language gives
no clear answer it also looks at the examples of all languages: people mix in Dutch or English.
Below a confidence threshold it answers "no intent", so the engine says it did not understand
and shows the choices instead of guessing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.loader import Content
from bot.conversation.inbound import Understanding
from bot.language.catalog import Catalogue
from bot.language.entities import TASK, TERM, EntityFinder
from bot.language.nlu_eval import FALLBACK_INTENT, OUT_OF_SCOPE, Example, load_examples
from bot.language.normalise import normalise

ALL = "*"
"""The index over the examples of every language."""
ENTITY_OF_INTENT = {"ask_task": TASK, "what_is": TERM}
"""Which entity an intent's handler needs (its first entity value is handed to the flow)."""

_NGRAMS = (3,)
_TOP = 2
"""Per intent the mean of its best `_TOP` example similarities: one lucky example is not enough."""


def nlu_files(root: Path) -> dict[str, Path]:
    """Language code -> training file (dialogues/nlu/<lang>.yml; the test/ split is not read)."""
    folder = root / "dialogues" / "nlu"
    return {
        path.stem: path
        for path in sorted(folder.glob("*.yml"))
        if len(path.stem) in (2, 3) and path.stem.isalpha()
    }


def features(normalised: str) -> dict[str, float]:
    """Sublinear term frequencies of the words and the character n-grams inside each word."""
    counts: dict[str, int] = defaultdict(int)
    for word in normalised.split():
        counts["w:" + word] += 1
        padded = f" {word} "
        for n in _NGRAMS:
            for i in range(len(padded) - n + 1):
                counts[padded[i : i + n]] += 1
    return {f: 1.0 + math.log(c) for f, c in counts.items()}


@dataclass
class _Index:
    intents: list[str]
    postings: dict[str, list[tuple[int, float]]]
    idf: dict[str, float]
    default_idf: float

    @classmethod
    def build(cls, examples: Sequence[tuple[Mapping[str, float], str]]) -> _Index:
        """examples: (feature vector, intent)."""
        document_frequency: dict[str, int] = defaultdict(int)
        for vector, _ in examples:
            for feature in vector:
                document_frequency[feature] += 1
        total = len(examples)
        idf = {f: math.log((1 + total) / (1 + df)) + 1.0 for f, df in document_frequency.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (vector, _) in enumerate(examples):
            weighted = [(f, w * idf[f]) for f, w in vector.items()]
            norm = math.sqrt(sum(w * w for _, w in weighted)) or 1.0
            for feature, weight in weighted:
                postings[feature].append((number, weight / norm))
        return cls(
            intents=[intent for _, intent in examples],
            postings=dict(postings),
            idf=idf,
            default_idf=math.log(1 + total) + 1.0,
        )

    def rank(self, vector: Mapping[str, float]) -> list[tuple[str, float]]:
        """(intent, score) best first; score is the mean cosine of the intent's best examples."""
        weighted = {}
        for feature, weight in vector.items():
            # Unknown n-grams still count in the norm: a message full of words no example has
            # must score low, not be judged on the one n-gram it happens to share.
            weighted[feature] = weight * self.idf.get(feature, self.default_idf)
        norm = math.sqrt(sum(w * w for w in weighted.values()))
        if not norm:
            return []
        scores: dict[int, float] = defaultdict(float)
        postings = self.postings
        for feature, weight in weighted.items():
            hits = postings.get(feature)
            if hits:
                for number, example_weight in hits:
                    scores[number] += weight * example_weight
        best: dict[str, list[float]] = defaultdict(list)
        for number, score in scores.items():
            best[self.intents[number]].append(score / norm)
        ranked = [
            (intent, sum(sorted(values, reverse=True)[:_TOP]) / _TOP)
            for intent, values in best.items()
        ]
        ranked.sort(key=lambda pair: -pair[1])
        return ranked


class BuiltinInterpreter:
    """Understands typed text from the training examples alone; answers in well under 1 ms."""

    name = "builtin"

    def __init__(
        self,
        examples: Mapping[str, Iterable[Example]],
        entities: EntityFinder | None = None,
        *,
        threshold: float = 0.25,
        other_languages_below: float = 0.45,
        ambiguity: float = 0.0,
    ) -> None:
        """examples: language code -> training examples of that language.

        threshold: below this score the answer is "no intent" (the participant gets the choices).
        other_languages_below: when the own language's best score is lower than this, the
        examples of all languages are consulted too.
        ambiguity: answer "no intent" when the two best intents are closer than this.

        The defaults were chosen by 5-fold cross-validation on the training files, not on the
        held-out split (which is only used to report accuracy).
        """
        self.threshold = threshold
        self.other_languages_below = other_languages_below
        self.ambiguity = ambiguity
        self.entities = entities
        by_language: dict[str, list[tuple[Mapping[str, float], str]]] = {}
        for lang, items in examples.items():
            by_language[lang] = [(features(normalise(e.text)), e.intent) for e in items]
        self._indexes = {lang: _Index.build(items) for lang, items in by_language.items()}
        everything = [item for items in by_language.values() for item in items]
        self._indexes[ALL] = _Index.build(everything)
        self.intents = frozenset(intent for _, intent in everything)

    @classmethod
    def load(
        cls, content: Content, catalogue: Catalogue, root: Path | None = None
    ) -> BuiltinInterpreter:
        """Read dialogues/nlu/<lang>.yml under `root` (default: the content's root)."""
        files = nlu_files(root or content.root)
        examples = {lang: load_examples(path) for lang, path in files.items()}
        finder = EntityFinder.from_content(
            content, catalogue, (e for items in examples.values() for e in items)
        )
        return cls(examples, finder)

    def rank(self, text: str, lang: str) -> list[tuple[str, float]]:
        """Every intent with a score (0..1), best first; for evaluation and debugging."""
        return self._rank(features(normalise(text)), lang)

    def _rank(self, vector: Mapping[str, float], lang: str) -> list[tuple[str, float]]:
        own = self._indexes.get(lang)
        ranked = own.rank(vector) if own is not None else []
        if not ranked or ranked[0][1] < self.other_languages_below:
            everywhere = self._indexes[ALL].rank(vector)
            if everywhere and (not ranked or everywhere[0][1] > ranked[0][1]):
                ranked = everywhere
        return ranked

    async def parse(self, text: str, lang: str) -> Understanding:
        return self.parse_now(text, lang)

    def parse_now(self, text: str, lang: str) -> Understanding:
        words = normalise(text)
        if not words:
            return Understanding(source=self.name)
        ranked = self._rank(features(words), lang)
        if not ranked:
            return Understanding(source=self.name)
        intent, score = ranked[0]
        confidence = round(min(1.0, score), 3)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if (
            score < self.threshold
            or score - runner_up < self.ambiguity
            or intent in (OUT_OF_SCOPE, FALLBACK_INTENT)
        ):
            return Understanding(None, confidence, {}, self.name)
        return Understanding(intent, confidence, self.entities_for(intent, words), self.name)

    def entities_for(self, intent: str, normalised: str) -> dict[str, str]:
        kind = ENTITY_OF_INTENT.get(intent)
        if kind is None or self.entities is None:
            return {}
        value = self.entities.find(kind, normalised)
        return {kind: value} if value else {}
