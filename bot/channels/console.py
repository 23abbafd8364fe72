"""Console chat: the same assistant in a terminal, choices shown as numbers; works with pipes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from bot.assistant import Assistant
from bot.conversation.inbound import Command, Inbound, Press, Start, Text
from bot.conversation.replies import Button, Reply
from bot.language.bidi import strip_isolates

CHANNEL = "console"


def parse_line(line: str, buttons: Sequence[Button]) -> Inbound | None:
    """What one typed line means: a number picks a button, /word is a command, else free text."""
    text = line.strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return Press(buttons[int(text) - 1].data)
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        if name == "start":
            return Start(payload=args.strip())
        return Command(name.lower(), args.strip())
    return Text(text)


def render(replies: Sequence[Reply], out: TextIO) -> list[Button]:
    """Print the replies; return the buttons in the order they were numbered."""
    numbered: list[Button] = []
    for reply in replies:
        out.write(f"\n{strip_isolates(reply.text)}\n")
        for link in reply.links:
            out.write(f"   {strip_isolates(link.label)}: {link.url}\n")
        if reply.attachment is not None:
            size = len(reply.attachment.data)
            out.write(f"   📎 {reply.attachment.filename} ({size} bytes)\n")
        for row in reply.buttons:
            cells = []
            for button in row:
                numbered.append(button)
                cells.append(f"[{len(numbered)}] {strip_isolates(button.label)}")
            out.write("   " + "   ".join(cells) + "\n")
    out.flush()
    return numbered


async def chat(
    assistant: Assistant,
    chat_id: str = "local",
    lang: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = source.isatty()
    buttons = render(await assistant.handle(CHANNEL, chat_id, Start(language=lang)), out)
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = await loop.run_in_executor(None, source.readline)
        if not line:
            break
        if not interactive:
            # Piped input: echo it, so the printed transcript reads like a conversation.
            out.write(f"> {line.rstrip()}\n")
        inbound = parse_line(line, buttons)
        if inbound is None:
            continue
        if line.strip() in {"/quit", "/exit"}:
            break
        buttons = render(await assistant.handle(CHANNEL, chat_id, inbound), out)
