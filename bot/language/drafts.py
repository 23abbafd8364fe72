"""Machine drafts for missing catalogue entries (`wegwijs content draft --lang xx`).

A draft is a starting point for a native speaker, never the final text: it is written into the
PO file as fuzzy, like every other draft, and only reviewed entries lose that flag. A draft that
lost a `{placeholder}` or came back with a redaction marker is not written at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.language.translation import Translator

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MARKER = re.compile(r"\[[A-Z_]+\]")


@dataclass
class Drafts:
    texts: dict[str, str] = field(default_factory=dict)
    """key -> machine translation, ready for `po.import_translations`."""
    not_translated: list[str] = field(default_factory=list)
    """Keys the translator could not do (language not offered, failure, time-out)."""
    broken: list[str] = field(default_factory=list)
    """Keys whose translation lost a placeholder or carries a redaction marker."""
    provider: str = "none"


async def machine_drafts(
    sources: Mapping[str, str],
    translator: Translator,
    source: str,
    target: str,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Drafts:
    """Translate each Dutch source text; line by line, so line breaks stay where they were."""
    drafts = Drafts()
    for number, (key, text) in enumerate(sources.items(), start=1):
        lines = []
        for line in text.split("\n"):
            if not line.strip():
                lines.append(line)
                continue
            result = await translator.translate(line, source, target)
            if not result.translated:
                break
            drafts.provider = result.provider
            lines.append(result.text)
        else:
            draft = "\n".join(lines)
            if _intact(text, draft):
                drafts.texts[key] = draft
            else:
                drafts.broken.append(key)
            progress(number, len(sources))
            continue
        drafts.not_translated.append(key)
        progress(number, len(sources))
    return drafts


def _intact(source: str, draft: str) -> bool:
    same_placeholders = sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(draft))
    new_markers = set(_MARKER.findall(draft)) - set(_MARKER.findall(source))
    return same_placeholders and not new_markers
