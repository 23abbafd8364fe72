"""Splits long texts under Telegram's 4096-character limit at readable places.

Telegram measures in UTF-16 code units (an emoji counts twice), so we do too. A split prefers a
blank line, then a line end, then a sentence end, then a space; it avoids cutting inside a Unicode
isolate (a Dutch label or URL inside Arabic text) and, when it must, closes the isolate in the first
part and opens it again in the next so both still read correctly.
"""

from __future__ import annotations

from bot.language.bidi import FSI, PDI

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
_OPENERS = frozenset({FSI, "\u2066", "\u2067"})  # FSI, LRI, RLI
_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", "。", " ")
_RESERVE = 8  # room for isolate marks added at a forced cut


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Parts of at most `limit` UTF-16 units each; no part is empty or only whitespace."""
    if limit <= _RESERVE * 2:
        raise ValueError("limit too small")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            parts.append(rest)
            break
        head, rest = _cut(rest, limit - _RESERVE)
        if head.strip():
            parts.append(head)
        rest = rest.strip()
    return parts


def fits(text: str, limit: int) -> bool:
    return utf16_len(text) <= limit


def _cut(text: str, limit: int) -> tuple[str, str]:
    end = _max_prefix(text, limit)
    floor = end // 3  # a break too early would leave a tiny part; prefer a harder cut then
    window = text[:end]
    depth = _depths(window)
    for separator in _BREAKS:
        position = window.rfind(separator)
        while position > floor:
            split_at = position + len(separator)
            if depth[split_at] == 0:
                return text[:split_at].rstrip(), text[split_at:]
            position = window.rfind(separator, 0, position)
    # No good place: cut where we must, keeping any open isolate balanced on both sides.
    return window + PDI * depth[end], FSI * depth[end] + text[end:]


def _max_prefix(text: str, limit: int) -> int:
    """The largest index i with utf16_len(text[:i]) <= limit."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _depths(text: str) -> list[int]:
    """depths[i]: how many isolates are open just before text[i] (len(text) + 1 entries)."""
    depths = [0]
    depth = 0
    for char in text:
        if char in _OPENERS:
            depth += 1
        elif char == PDI and depth:
            depth -= 1
        depths.append(depth)
    return depths
