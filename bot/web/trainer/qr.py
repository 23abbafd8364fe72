"""QR codes for a class's invite link (segno): SVG for screens and print, PNG for messages."""

from __future__ import annotations

import io

import segno

# Medium error correction survives a crease or a smudge on a printed sheet.
ERROR = "m"


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=c_{code}"


def svg(link: str, *, title: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error=ERROR).save(
        buffer, kind="svg", scale=8, border=4, xmldecl=True, title=title, dark="#000", light="#fff"
    )
    return buffer.getvalue()


def png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error=ERROR).save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
