"""Find trigger words ("wachtwoord", "şifrem", "رمز عبور") as whole words in any of our scripts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Letters that Arabic and Persian keyboards type differently for the same word.
_CANONICAL = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا"})
_TWINS = {"ک": "[کك]", "ی": "[یيى]", "ه": "[هة]", "ا": "[اأإآ]"}
# Between the parts of a multi-word entry: a space, a hyphen, a zero-width non-joiner (Persian
# writes "فعال‌سازی" with one) or nothing at all, so "sms code" also finds "smscode" and "sms-code".
_JOIN = "[ \t\u00a0\u200c_-]*"
_JOINERS = frozenset(" \t\u00a0\u200c_-")
_SEP = "\x00"
_LETTERS = r"[^\W\d_]"
# Arabic clitics glued to the front of a word: "و" and, "ب" with, "ال" the, "بال" with the...
# A long trigger may end a compound word; a short one ("code", "pin") must stand alone, or
# "postcode" would fire. Entries with "*" never do: "kod*" would fire inside any word.
_COMPOUND_TAIL = 6
_ARABIC_PREFIXES = ("وال", "بال", "فال", "لل", "ال", "و", "ف", "ب", "ل")


class _Node:
    __slots__ = ("children", "end", "star")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False
        self.star = False


def _tokens(word: str) -> list[str]:
    out: list[str] = []
    for ch in word.lower().translate(_CANONICAL):
        if ch in _JOINERS:
            if out and out[-1] != _SEP:
                out.append(_SEP)
        else:
            out.append(ch)
    return out


def _emit(node: _Node) -> str:
    alternatives = []
    for key in sorted(node.children, key=lambda k: (k == _SEP, k)):
        atom = _JOIN if key == _SEP else _TWINS.get(key, re.escape(key))
        alternatives.append(atom + _emit(node.children[key]))
    if node.star:
        alternatives.append(_LETTERS + "*")
    elif node.end:
        alternatives.append(f"(?!{_LETTERS})")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def _lower(text: str) -> str:
    """Lower case with the same length, so positions in it are positions in `text`."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # Only a few characters grow when lowered, such as Turkish İ (to i + a combining dot).
    return "".join(low if len(low := c.lower()) == 1 else c for c in text.replace("İ", "I"))


def _key(text: str) -> str:
    return "".join(t for t in _tokens(text) if t != _SEP)


class TriggerWords:
    """One trie-shaped pattern for all words; an entry ending in "*" takes any word ending.

    A trie keeps the common case cheap: each position of a message costs one branch on its
    first letter instead of one attempt per word.
    """

    def __init__(self, words: Iterable[str]) -> None:
        root = _Node()
        compound_tails = set()
        for word in words:
            star = word.endswith("*")
            tokens = _tokens(word.rstrip("*").strip())
            while tokens and tokens[-1] == _SEP:
                tokens.pop()
            if not tokens:
                continue
            node = root
            for token in tokens:
                node = node.children.setdefault(token, _Node())
            node.end = True
            node.star = node.star or star
            key = "".join(t for t in tokens if t != _SEP)
            if not star and len(key) >= _COMPOUND_TAIL:
                compound_tails.add(key)
        # Matched against lowered text rather than with re.IGNORECASE: three times faster,
        # because case-insensitive literals cost a case conversion at every position.
        self._pattern = re.compile(_emit(root)) if root.children else None
        self._compound_tails = frozenset(compound_tails)

    def find(self, text: str) -> Iterator[re.Match[str]]:
        """Matches that stand alone: "code" counts, the "code" inside "postcode" does not."""
        if self._pattern is None:
            return
        for match in self._pattern.finditer(_lower(text)):
            if self._starts_word(text, match):
                yield match

    def _starts_word(self, text: str, match: re.Match[str]) -> bool:
        start = match.start()
        if start == 0 or not text[start - 1].isalnum():
            return True
        if _key(match.group()) in self._compound_tails:
            return True  # Dutch compounds: "inlogwachtwoord", "bankpincode", "DigiDwachtwoord"
        for prefix in _ARABIC_PREFIXES:
            before = start - len(prefix)
            if before >= 0 and text.startswith(prefix, before):
                return before == 0 or not text[before - 1].isalnum()
        return False
