"""parse_mode handling: turn HTML / MarkdownV2 / Markdown into plain text plus entities.

Telegram strips the markup and answers with `text` and `entities`; malformed markup is a 400
"can't parse entities" error. Catching that in tests matters because translated sentences are
where a stray `<` or an unescaped `.` sneaks in.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from .errors import BotApiError, bad_request

Entity = dict[str, Any]

_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_V2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, as the Bot API documents."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Return (plain text, entities) for `parse_mode`, or raise the 400 Telegram would send."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _MarkdownParser(text, v2=True).run()
    if mode == "markdown":
        return _MarkdownParser(text, v2=False).run()
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def _cant_parse(detail: str) -> BotApiError:
    return bad_request(f"can't parse entities: {detail}")


class _HtmlToEntities(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.length = 0
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[Entity] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        lines = self.source.split("\n")
        chars = sum(len(each) + 1 for each in lines[: line - 1]) + column
        return len(self.source[:chars].encode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in _HTML_SIMPLE or (tag == "span" and attributes.get("class") != "tg-spoiler"):
            raise _cant_parse(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')
        self.stack.append((tag, self.length, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _cant_parse(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise _cant_parse(f"Unexpected end tag at byte offset {self._byte_offset()}")
        _, start, attributes = self.stack.pop()
        length = self.length - start
        if length <= 0:
            return
        kind = _HTML_SIMPLE[tag]
        entity: Entity = {"type": kind, "offset": start, "length": length}
        if tag == "a":
            href = attributes.get("href") or ""
            entity["url"] = href
        elif tag == "blockquote" and "expandable" in attributes:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        elif tag == "code" and self.stack and self.stack[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, not two.
            language = (attributes.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][2]["language"] = language
            return
        elif tag == "pre" and attributes.get("language"):
            entity["language"] = attributes["language"]
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)


def _parse_html(source: str) -> tuple[str, list[Entity]]:
    parser = _HtmlToEntities(source)
    parser.feed(source)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1][0]
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{tag}"')
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.parts), parser.entities


class _MarkdownParser:
    """A small scanner for MarkdownV2 and legacy Markdown (no nesting in the legacy form)."""

    def __init__(self, source: str, *, v2: bool) -> None:
        self.source = source
        self.v2 = v2
        self.out: list[str] = []
        self.length = 0
        self.open: dict[str, tuple[int, int]] = {}  # marker -> (utf16 start, byte offset)
        self.entities: list[Entity] = []

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def _byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _close(self, kind: str, start: int, **extra: str) -> None:
        if self.length > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.length - start, **extra}
            )

    def run(self) -> tuple[str, list[Entity]]:
        source, i, n = self.source, 0, len(self.source)
        link_start: tuple[int, int] | None = None
        quote_start: int | None = None
        while i < n:
            char = source[i]
            if self.v2 and char == ">" and (i == 0 or source[i - 1] == "\n"):
                # "> " at a line start opens (or continues) a block quotation.
                if quote_start is None:
                    quote_start = self.length
                i += 1
                continue
            if char == "\n" and quote_start is not None and not source.startswith(">", i + 1):
                self._close("blockquote", quote_start)
                quote_start = None
            if char == "\\" and i + 1 < n and (self.v2 or source[i + 1] in "_*`["):
                self._emit(source[i + 1])
                i += 2
                continue
            if char == "`":
                i = self._code(i)
                continue
            marker = source[i : i + 2] if self.v2 and source[i : i + 2] in ("__", "||") else char
            kind = _V2_MARKERS.get(marker) if self.v2 else {"*": "bold", "_": "italic"}.get(char)
            if kind is not None:
                if marker in self.open:
                    start, _ = self.open.pop(marker)
                    self._close(kind, start)
                else:
                    if not self.v2 and self.open:
                        raise _cant_parse(
                            f"Can't find end of the entity starting at byte offset "
                            f"{next(iter(self.open.values()))[1]}"
                        )
                    self.open[marker] = (self.length, self._byte_offset(i))
                i += len(marker)
                continue
            if char == "[" and link_start is None:
                link_start = (self.length, self._byte_offset(i))
                i += 1
                continue
            if char == "]" and link_start is not None and source[i + 1 : i + 2] == "(":
                end = source.find(")", i + 2)
                if end < 0:
                    raise _cant_parse(f"Can't find end of a URL at byte offset {i}")
                self._close("text_link", link_start[0], url=source[i + 2 : end])
                link_start = None
                i = end + 1
                continue
            if self.v2 and char in _V2_RESERVED:
                raise _cant_parse(
                    f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                )
            self._emit(char)
            i += 1
        if quote_start is not None:
            self._close("blockquote", quote_start)
        if self.open or link_start is not None:
            offset = next(iter(self.open.values()))[1] if self.open else link_start[1]  # type: ignore[index]
            if self.v2 and self.open:
                marker = next(iter(self.open))
                name = _V2_MARKERS[marker].capitalize()
                raise _cant_parse(f"Can't find end of {name} entity at byte offset {offset}")
            raise _cant_parse(f"Can't find end of the entity starting at byte offset {offset}")
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _code(self, i: int) -> int:
        source = self.source
        fence = "```" if source.startswith("```", i) else "`"
        end = source.find(fence, i + len(fence))
        if end < 0:
            raise _cant_parse(
                f"Can't find end of the entity starting at byte offset {self._byte_offset(i)}"
            )
        body = source[i + len(fence) : end]
        language = ""
        if fence == "```" and "\n" in body:
            first, rest = body.split("\n", 1)
            if first and " " not in first:
                language, body = first, rest
        if self.v2:
            body = body.replace("\\`", "`").replace("\\\\", "\\")
        start = self.length
        self._emit(body)
        if fence == "```":
            extra = {"language": language} if language else {}
            self._close("pre", start, **extra)
        else:
            self._close("code", start)
        return end + len(fence)
