"""Keeping the PO catalogues in step with the Dutch source, and counting what is translated.

`update` is our `pybabel update`, keyed by msgctxt: a key whose Dutch source changed keeps its
translation, marked fuzzy with the old source as `#| msgid` ("outdated"), so translators see
exactly what changed in Poedit or Weblate and nothing is silently dropped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, unescape, write_po

from bot.content.loader import Content
from bot.language.catalog import DOMAIN, po_path

PROJECT = "Wegwijs"


def pot_path(root: Path) -> Path:
    return root / "locales" / f"{DOMAIN}.pot"


def _new_catalog(locale: str | None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project=PROJECT,
        version="1",
        msgid_bugs_address="",
        copyright_holder="Wegwijs",
        charset="utf-8",
        fuzzy=False,
    )


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def previous_ids(path: Path) -> dict[str, str]:
    """msgctxt -> the `#| msgid` of entries marked outdated.

    Babel writes these lines but does not read them back, so they are picked out here; they are
    what tells a translator (and the status report) that the Dutch changed under a translation.
    Babel wraps the comment at spaces, even inside a quoted piece, so the lines are joined with a
    space before the quoted pieces are read.
    """
    if not path.exists():
        return {}
    result: dict[str, str] = {}
    pending: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#| msgid "):
            pending = [line[len("#| msgid ") :]]
        elif line.startswith("#| ") and pending is not None:
            pending.append(line[3:])
        elif line.startswith("msgctxt ") and pending is not None:
            joined = " ".join(pending)
            text = "".join(unescape(f'"{piece}"') for piece in _QUOTED.findall(joined))
            result[unescape(line[len("msgctxt ") :])] = text
            pending = None
        elif not line.startswith("#"):
            pending = None
    return result


def _read(path: Path) -> Catalog | None:
    """Read a PO file, keeping the `#| msgid` markers Babel would otherwise mangle.

    Babel parses `#| msgid "..."` as a translator comment `| msgid ...` and writes it back as
    `# | msgid`, which loses the outdated marker on the next read. So those comments are dropped
    and the markers are restored from the file itself.
    """
    if not path.exists():
        return None
    with path.open("rb") as handle:
        catalog = read_po(handle)
    marked = previous_ids(path)
    for message in catalog:
        message.user_comments = [c for c in message.user_comments if not c.lstrip().startswith("|")]
        if message.context in marked and message.fuzzy:
            message.previous_id = [marked[message.context]]
        else:
            message.previous_id = []
    return catalog


# Babel stamps every catalogue it writes with the current minute.
_CREATION_DATE = re.compile(rb'^"POT-Creation-Date: [^"\n]*"$', re.MULTILINE)


def _undated(data: bytes) -> bytes:
    return _CREATION_DATE.sub(b'"POT-Creation-Date: "', data)


def _write(path: Path, catalog: Catalog) -> None:
    """Write `catalog` to `path`, unless only its creation date would change.

    Without this every `wegwijs content update` left all catalogues modified by a new date
    alone, which hides the real changes in review and makes merges conflict for nothing."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, include_previous=True, sort_output=False)
    data = buffer.getvalue()
    if path.exists() and _undated(path.read_bytes()) == _undated(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def update(content: Content) -> dict[str, int]:
    """Rewrite the template and every language's PO file; returns new entries per language."""
    source = content.source_texts()
    template = _new_catalog(None)
    for key, text in source.items():
        template.add(text, context=key)
    _write(pot_path(content.root), template)
    added: dict[str, int] = {}
    for lang in content.language_codes:
        if lang == content.languages.source:
            continue
        added[lang] = update_language(po_path(content.root, lang), lang, source)
    return added


def update_language(path: Path, lang: str, source: Mapping[str, str]) -> int:
    old = _read(path)
    outdated = previous_ids(path)
    existing: dict[str, Message] = {}
    if old is not None:
        for message in old:
            if message.id and message.context:
                existing[message.context] = message
    catalog = _new_catalog(lang)
    added = 0
    for key, text in source.items():
        previous = existing.get(key)
        if previous is None or not previous.string:
            catalog.add(text, "", context=key)
            added += previous is None
            continue
        flags = set(previous.flags)
        previous_id: list[str] = [outdated[key]] if key in outdated and "fuzzy" in flags else []
        if previous.id != text:
            flags.add("fuzzy")
            previous_id = [str(previous.id)]
        catalog.add(
            text,
            previous.string,
            context=key,
            flags=flags,
            previous_id=previous_id,
            user_comments=list(previous.user_comments),
        )
    _write(path, catalog)
    return added


@dataclass(frozen=True)
class LanguageStatus:
    total: int
    translated: int
    """Entries with a translation, drafts included."""
    fuzzy: int
    """Drafts: written by the team or a machine, not yet reviewed by a native speaker."""
    reviewed: int
    missing: int
    outdated: int
    """Translated from a Dutch source that has changed since."""

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def status(content: Content) -> dict[str, LanguageStatus]:
    source = content.source_texts()
    total = len(source)
    result: dict[str, LanguageStatus] = {}
    for lang in content.language_codes:
        if lang == content.languages.source:
            # The Dutch source is written by the team; it has no review status of its own here.
            result[lang] = LanguageStatus(total, total, 0, 0, 0, 0)
            continue
        path = po_path(content.root, lang)
        catalog = _read(path)
        marked = previous_ids(path)
        entries = {m.context: m for m in catalog or [] if m.id and m.context and m.string}
        translated = fuzzy = outdated = 0
        for key, text in source.items():
            message = entries.get(key)
            if message is None:
                continue
            translated += 1
            is_outdated = message.id != text or (message.fuzzy and key in marked)
            outdated += is_outdated
            fuzzy += message.fuzzy and not is_outdated
        result[lang] = LanguageStatus(
            total=total,
            translated=translated,
            fuzzy=fuzzy,
            reviewed=translated - fuzzy - outdated,
            missing=total - translated,
            outdated=outdated,
        )
    return result


def export_missing(content: Content, lang: str, include_outdated: bool = True) -> dict[str, str]:
    """Key -> Dutch source of what `lang` still lacks, for a translator's work file."""
    source = content.source_texts()
    path = po_path(content.root, lang)
    catalog = _read(path)
    marked = previous_ids(path)
    done: dict[str, Message] = {m.context: m for m in catalog or [] if m.context and m.string}
    wanted: dict[str, str] = {}
    for key, text in source.items():
        message = done.get(key)
        outdated = message is not None and (message.id != text or (message.fuzzy and key in marked))
        if message is None or (include_outdated and outdated):
            wanted[key] = text
    return wanted


def import_translations(content: Content, lang: str, translations: Mapping[str, str]) -> int:
    """Write translations into the PO file as drafts (fuzzy): nobody has reviewed them yet.

    Review is a human act: a native speaker clears the fuzzy flag in Poedit or Weblate.
    """
    source = content.source_texts()
    path = po_path(content.root, lang)
    update_language(path, lang, source)
    catalog = _read(path)
    assert catalog is not None
    written = 0
    for key, text in translations.items():
        if key not in source or not str(text).strip():
            continue
        message = catalog.get(source[key], context=key)
        if message is None:
            continue
        message.string = str(text).strip()
        message.flags.add("fuzzy")
        message.previous_id = []
        written += 1
    _write(path, catalog)
    return written
