"""Plays a participant against the real assistant: only buttons that were shown can be pressed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.app import App
from bot.conversation.callbacks import decode
from bot.conversation.inbound import Command, Media, Press, Start, Text
from bot.conversation.replies import Button, Reply
from bot.language.bidi import strip_isolates


class NotOffered(AssertionError):
    """The test tried to press a button the participant was never shown."""


@dataclass
class ChatDriver:
    app: App
    chat_id: str = "p1"
    channel: str = "test"
    last: tuple[Reply, ...] = ()
    transcript: list[tuple[str, tuple[Reply, ...]]] = field(default_factory=list)
    _previous_buttons: list[Button] = field(default_factory=list)

    async def _send(self, label: str, inbound: object) -> tuple[Reply, ...]:
        buttons = self.buttons()
        self.last = await self.app.assistant.handle(self.channel, self.chat_id, inbound)  # type: ignore[arg-type]
        if buttons:
            self._previous_buttons = buttons
        self.transcript.append((label, self.last))
        return self.last

    async def start(
        self, payload: str = "", hint: str | None = None, lang: str | None = None
    ) -> tuple[Reply, ...]:
        return await self._send("/start", Start(payload=payload, language_hint=hint, language=lang))

    async def say(self, text: str) -> tuple[Reply, ...]:
        return await self._send(text, Text(text))

    async def command(self, name: str, args: str = "") -> tuple[Reply, ...]:
        return await self._send(f"/{name}", Command(name, args))

    async def media(self, kind: str) -> tuple[Reply, ...]:
        return await self._send(f"<{kind}>", Media(kind))

    async def raw(self, data: str) -> tuple[Reply, ...]:
        return await self._send(f"[{data}]", Press(data))

    async def press(self, action: str) -> tuple[Reply, ...]:
        """Press the shown button whose action (and argument) is `action`, e.g. "lang:ar"."""
        button = self.find(action, self.buttons())
        return await self._send(f"[{button.label}]", Press(button.data))

    async def press_old(self, action: str) -> tuple[Reply, ...]:
        """Press a button from the keyboard before the current one (still on screen in Telegram)."""
        button = self.find(action, self._previous_buttons)
        return await self._send(f"[old {button.label}]", Press(button.data))

    def buttons(self) -> list[Button]:
        return [button for reply in self.last for button in reply.all_buttons()]

    @staticmethod
    def find(action: str, buttons: Sequence[Button]) -> Button:
        wanted_action, _, wanted_argument = action.partition(":")
        for button in buttons:
            callback = decode(button.data)
            if (
                callback
                and callback.action == wanted_action
                and (not wanted_argument or callback.argument == wanted_argument)
            ):
                return button
        offered = [b.data for b in buttons]
        raise NotOffered(f"no button {action!r} on screen; offered: {offered}")

    def text(self) -> str:
        return "\n".join(strip_isolates(reply.text) for reply in self.last)

    def reply_keys(self) -> list[str]:
        return [reply.key for reply in self.last]

    def labels(self) -> list[str]:
        return [strip_isolates(b.label) for b in self.buttons()]


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]
