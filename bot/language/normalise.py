"""Folding typed text to one spelling, so "Zorgtoeslag!", "zorgtoesläg" and "ZORGTOESLAG" match.

People type on phones, in eight languages and several scripts, often without accents, harakat or
the "right" Arabic/Persian letter. Matching works on this folded form only; it is never shown.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic and Persian keyboards give different code points for the same letter; people also mix
# them (Persian written on an Arabic keyboard). Fold to the Persian forms, drop tatweel and the
# zero-width (non-)joiners that some type and others do not ("می‌خوام" / "میخوام").
_LETTERS = {
    "ي": "ی",  # Arabic yeh
    "ى": "ی",  # alef maksura
    "ك": "ک",  # Arabic kaf
    "ة": "ه",  # teh marbuta, mostly typed as heh in chat
    "ı": "i",  # Turkish dotless i: keyboards without it type "i"
    "ـ": "",  # tatweel
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner
    "\u200f": "",  # right-to-left mark
    "\u200e": "",  # left-to-right mark
}
# Arabic-Indic and Persian digits to ASCII; digits carry meaning in Arabizi ("ma3", "7abibi").
_DIGITS = {chr(base + i): str(i) for base in (0x0660, 0x06F0) for i in range(10)}
_FOLD = str.maketrans({**_LETTERS, **_DIGITS})
_REPEATS = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    """Casefolded, without accents/harakat, letter variants unified, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    # NFKD splits "é", "أ" (alef + hamza above) and harakat into base + combining mark.
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    folded = stripped.translate(_FOLD)
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    # "jaaaa", "dankjeeee", "hiiii": long runs are emphasis, not a different word.
    return _REPEATS.sub(r"\1\1", " ".join(words))
