"""Load knowledge/safety/secret_words.yml: the words after which participants type secrets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

STATUSES = frozenset({"reviewed", "draft"})
KINDS = ("secret", "bsn")


@dataclass(frozen=True)
class SecretWords:
    secret: tuple[str, ...]
    """Words after which a password, pincode, sms code or activation code follows."""
    bsn: tuple[str, ...]
    """Words after which an 8- or 9-digit number is a BSN, even one with a typo."""
    drafts: tuple[str, ...]
    """Languages whose words still wait for a native speaker's review."""


class SecretWordsError(ValueError):
    """The trigger-word file is malformed; the message says where."""


def load_secret_words(path: Path) -> SecretWords:
    """All languages merged: a participant may mix languages in one message."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    languages = data.get("languages") if isinstance(data, dict) else None
    if not isinstance(languages, dict) or not languages:
        raise SecretWordsError(f"{path}: expected a non-empty 'languages' mapping")
    merged: dict[str, list[str]] = {kind: [] for kind in KINDS}
    drafts = []
    for lang, entry in languages.items():
        where = f"{path}: languages.{lang}"
        if not isinstance(entry, dict):
            raise SecretWordsError(f"{where}: expected a mapping")
        unknown = set(entry) - {"status", *KINDS}
        if unknown:
            raise SecretWordsError(f"{where}: unknown keys {sorted(unknown)}")
        status = entry.get("status")
        if status not in STATUSES:
            raise SecretWordsError(f"{where}.status: expected one of {sorted(STATUSES)}")
        if status == "draft":
            drafts.append(str(lang))
        for kind in KINDS:
            words = entry.get(kind, [])
            if not isinstance(words, list) or not all(
                isinstance(w, str) and w.strip(" *") for w in words
            ):
                raise SecretWordsError(f"{where}.{kind}: expected a list of non-empty strings")
            merged[kind].extend(w.strip() for w in words)
    return SecretWords(
        secret=tuple(dict.fromkeys(merged["secret"])),
        bsn=tuple(dict.fromkeys(merged["bsn"])),
        drafts=tuple(drafts),
    )
