"""`wegwijs chat` and `wegwijs run`: talk to the assistant in the terminal, or start it for real."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = sub.add_parser("chat", help="chat with Wegwijs in this terminal (also from a pipe)")
    chat.add_argument("--lang", help="language code, e.g. en, ar; skips the language question")
    chat.add_argument("--chat-id", default="local", help="who you are; the same id resumes later")
    chat.set_defaults(handler=run_chat)

    run = sub.add_parser(
        "run", help="start the assistant: Telegram if TELEGRAM_BOT_TOKEN is set, else console chat"
    )
    run.add_argument("--lang", help="console only: language code")
    run.add_argument("--chat-id", default="local", help="console only: who you are")
    run.set_defaults(handler=run_default)


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.channels.console import chat

    async def main() -> None:
        app = await build_app(settings)
        try:
            await chat(app.assistant, chat_id=args.chat_id, lang=args.lang)
        finally:
            await app.close()

    asyncio.run(main())
    return 0


def run_default(args: argparse.Namespace, settings: Settings) -> int:
    if settings.telegram_bot_token:
        try:
            from bot.commands.telegram import run_telegram
        except ImportError:
            print("The Telegram channel is not installed in this version.")
            return 1
        return run_telegram(args, settings)
    print("No TELEGRAM_BOT_TOKEN set: starting the console chat (type /quit to stop).")
    return run_chat(args, settings)
