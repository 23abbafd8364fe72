"""Keeps Dutch words, URLs and numbers readable inside right-to-left text.

Arabic and Persian lines reorder neutral characters around left-to-right runs, which turns
"Klik op „Inloggen met DigiD"" or "088 123 65 55" into a jumble. Wrapping each left-to-right run in
FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE makes the run a single unit in the line.
"""

from __future__ import annotations

import re

FSI = "\u2068"
PDI = "\u2069"

_LTR = r"A-Za-z0-9\u00C0-\u024F"
# A run starts and ends with a letter or digit; inside it may hold the punctuation of URLs, e-mail
# addresses, amounts and phone numbers, and single spaces between Latin words.
_RUN = re.compile(rf"[{_LTR}](?:[{_LTR}.:/@_%?=&#+\-–'’,]|\s(?=[{_LTR}]))*[{_LTR}/]|[{_LTR}]")


def isolate_ltr_runs(text: str) -> str:
    """Wrap every left-to-right run of `text` in isolates (idempotent)."""
    if FSI in text:
        return text
    return _RUN.sub(lambda match: f"{FSI}{match.group(0)}{PDI}", text)


def isolate(value: str) -> str:
    """Wrap one inserted value (a Dutch label, URL or number) as a whole."""
    if not value or value.startswith(FSI):
        return value
    return f"{FSI}{value}{PDI}"


def strip_isolates(text: str) -> str:
    return text.replace(FSI, "").replace(PDI, "")
