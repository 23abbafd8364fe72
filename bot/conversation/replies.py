"""Channel-neutral replies: text, choice buttons and links. Channels decide how to show them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply, e.g. the appointment as a calendar (.ics) file."""

    filename: str
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    links: tuple[Link, ...] = ()
    attachment: Attachment | None = None
    key: str = ""
    """The catalogue key of the main sentence: lets tests and logs name a reply without its text."""

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
