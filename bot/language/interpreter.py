"""The narrow contract for understanding free text: text in, intent + entities + confidence out."""

from __future__ import annotations

from typing import Protocol

from bot.conversation.inbound import Understanding


class Interpreter(Protocol):
    name: str

    async def parse(self, text: str, lang: str) -> Understanding:
        """Never raises and never waits long: on trouble it returns `Understanding()`."""
        ...
