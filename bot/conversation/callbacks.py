"""Button callback data: `<keyboard>:<action>[:<argument>]`, at most Telegram's 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_FORMAT = re.compile(r"^(\d{1,9}):([a-z_]{1,16})(?::([A-Za-z0-9_\-]{1,40}))?$")


@dataclass(frozen=True)
class Callback:
    keyboard: int
    action: str
    argument: str = ""

    def encode(self) -> str:
        data = f"{self.keyboard}:{self.action}"
        if self.argument:
            data += f":{self.argument}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long: {data!r}")
        return data


def decode(data: str) -> Callback | None:
    """The callback, or None for anything malformed (old formats, forged data, junk)."""
    match = _FORMAT.match(data or "")
    if match is None:
        return None
    keyboard, action, argument = match.groups()
    return Callback(int(keyboard), action, argument or "")
