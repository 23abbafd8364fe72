"""The translation catalogues: gettext PO files in locales/, looked up by stable key.

Each entry's `msgctxt` is the stable key and its `msgid` the Dutch source it was translated from.
Looking up by key (not by Dutch text) keeps a translation attached when the Dutch is edited; the
entry is then reported as outdated until a translator updates it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from bot.content.loader import Content

DOMAIN = "wegwijs"


@dataclass(frozen=True)
class Entry:
    text: str
    source: str
    """The Dutch msgid this translation was made from."""
    fuzzy: bool
    """A draft (team-written or machine-made) that no native speaker has reviewed yet."""


def po_path(root: Path, lang: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _cache_path(po: Path) -> Path:
    return po.with_suffix(".json")


def read_entries(po: Path) -> dict[str, Entry]:
    """Every keyed entry of one PO file (empty translations left out)."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    entries: dict[str, Entry] = {}
    for message in catalog:
        if not message.id or not message.context or not isinstance(message.string, str):
            continue
        if not message.string.strip():
            continue
        entries[message.context] = Entry(
            text=message.string, source=str(message.id), fuzzy=message.fuzzy
        )
    return entries


def load_entries(po: Path) -> dict[str, Entry]:
    """Read a PO file through a JSON cache beside it: Babel's parser is too slow for start-up."""
    cache = _cache_path(po)
    try:
        if cache.stat().st_mtime_ns >= po.stat().st_mtime_ns:
            raw = json.loads(cache.read_text(encoding="utf-8"))
            return {key: Entry(*value) for key, value in raw.items()}
    except (OSError, ValueError, TypeError):
        pass
    entries = read_entries(po)
    try:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        payload = {key: [e.text, e.source, e.fuzzy] for key, e in entries.items()}
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:
        pass  # a read-only install still works, only slower to start
    return entries


class Catalogue:
    """Translations for every language, with the Dutch source as the fallback."""

    def __init__(
        self,
        source_lang: str,
        source: Mapping[str, str],
        translations: Mapping[str, dict[str, Entry]],
    ) -> None:
        self.source_lang = source_lang
        self.source = dict(source)
        self.translations = dict(translations)

    @classmethod
    def load(cls, content: Content) -> Catalogue:
        translations: dict[str, dict[str, Entry]] = {}
        for lang in content.language_codes:
            if lang == content.languages.source:
                continue
            po = po_path(content.root, lang)
            translations[lang] = load_entries(po) if po.exists() else {}
        return cls(content.languages.source, content.source_texts(), translations)

    def lookup(self, lang: str, key: str) -> str:
        """The text for `key` in `lang`; the Dutch source when there is no translation yet."""
        entry = self.translations.get(lang, {}).get(key)
        if entry is not None:
            return entry.text
        try:
            return self.source[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in dialogues/messages or the content") from None

    def has(self, key: str) -> bool:
        return key in self.source
