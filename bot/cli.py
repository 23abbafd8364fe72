"""The `wegwijs` command. Every module in bot/commands/ adds its own sub-commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from bot import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wegwijs",
        description="Wegwijs: a step-by-step guide through Dutch digital government.",
    )
    parser.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING (default: $LOG_LEVEL)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"{commands.__name__}.{module.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from bot.logs import setup_logging
    from bot.settings import Settings

    settings = Settings.from_env()
    setup_logging(args.log_level or settings.log_level, settings.log_json)
    try:
        return int(args.handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: a readable message, not a trace
        from bot.content.errors import ContentError, ContentErrors

        if isinstance(error, ContentError | ContentErrors):
            print(f"The content has errors:\n{error}", file=sys.stderr)
            return 1
        logging.getLogger("wegwijs").exception("command failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
