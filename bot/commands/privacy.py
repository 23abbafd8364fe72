"""`wegwijs privacy purge|export|erase`: retention and the rights of access and erasure."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = sub.add_parser("privacy", help="retention purge, export or erase one participant")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    purge = actions.add_parser(
        "purge", help="erase what is past its retention period (RETENTION_* settings)"
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="only show what would be erased; change nothing"
    )
    purge.add_argument("--json", action="store_true", help="print the report as JSON")
    purge.set_defaults(handler=run_purge)

    for name, text in (
        ("export", "print everything stored about one participant as JSON (like /mydata)"),
        ("erase", "erase one participant and everything linked to them (like /delete)"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--channel", default="telegram", help="telegram (default) or console")
        action.add_argument("--chat-id", required=True, help="the participant's chat id")
        if name == "erase":
            action.add_argument("--yes", action="store_true", help="really erase (no question)")
        action.set_defaults(handler=run_export if name == "export" else run_erase)


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.privacy.policy import RetentionPolicy
    from bot.privacy.retention import Retention
    from bot.store.db import Database

    async def main() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            retention = Retention(db, RetentionPolicy.from_settings(settings))
            report = await retention.purge(SystemClock().now(), dry_run=args.dry_run)
        finally:
            await db.close()
        if args.json:
            print(json.dumps(report.as_dict(), indent=2))
        else:
            print("\n".join(report.lines()))
        return 0

    return asyncio.run(main())


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.store.db import Database
    from bot.store.personal_data import PersonalData, export_json

    async def main() -> int:
        db = Database(settings.database_url)
        try:
            data = await PersonalData(db).export(args.channel, args.chat_id, SystemClock().now())
        finally:
            await db.close()
        if data is None:
            print(f"nothing is stored for {args.channel} chat {args.chat_id}", file=sys.stderr)
            return 1
        sys.stdout.write(export_json(data).decode("utf-8") + "\n")
        return 0

    return asyncio.run(main())


def run_erase(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.store.db import Database
    from bot.store.personal_data import PersonalData

    if not args.yes:
        print("Add --yes to erase: this cannot be undone.", file=sys.stderr)
        return 2

    async def main() -> int:
        db = Database(settings.database_url)
        try:
            erased = await PersonalData(db).erase(args.channel, args.chat_id, SystemClock().now())
        finally:
            await db.close()
        if not erased:
            print(f"nothing is stored for {args.channel} chat {args.chat_id}", file=sys.stderr)
            return 1
        print(f"erased {args.channel} chat {args.chat_id}")
        return 0

    return asyncio.run(main())
