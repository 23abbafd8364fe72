"""`wegwijs users add|list|password|disable|enable|token`: dashboard accounts and API tokens."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser(
        "users", help="dashboard accounts (admin, staff, trainer) and API tokens"
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help="create an account; asks for a password, or generates one (--generate)"
    )
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=["admin", "staff", "trainer"])
    add.add_argument(
        "--library",
        default=None,
        help="library organisation id (knowledge/libraries.yml); an admin without one "
        "manages all libraries",
    )
    add.add_argument("--name", default=None, help="the name shown in the dashboard")
    how = add.add_mutually_exclusive_group()
    how.add_argument(
        "--generate", action="store_true", help="generate a password and print it once"
    )
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="list the accounts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    password = actions.add_parser("password", help="set a new password (ends their sessions)")
    password.add_argument("--email", required=True)
    password_how = password.add_mutually_exclusive_group()
    password_how.add_argument("--generate", action="store_true")
    password_how.add_argument("--password-stdin", action="store_true")
    password.set_defaults(handler=run_password)

    for name, text in (
        ("disable", "turn an account off: its sessions end and its tokens stop working"),
        ("enable", "turn an account on again"),
    ):
        toggle = actions.add_parser(name, help=text)
        toggle.add_argument("--email", required=True)
        toggle.set_defaults(handler=run_toggle, active=name == "enable")

    token = actions.add_parser(
        "token", help="create an API token for an account (printed once), list or revoke tokens"
    )
    token.add_argument("--email", help="the account the token acts as (its role and library)")
    token.add_argument("--name", default="API", help="what the token is for, e.g. the system")
    token.add_argument("--list", action="store_true", help="list tokens (of --email, or all)")
    token.add_argument("--revoke", type=int, default=None, metavar="ID", help="revoke a token")
    token.set_defaults(handler=run_token)


def _with_accounts(settings: Settings, work: Callable[[Any, Any], Awaitable[int]]) -> int:
    from bot.clock import SystemClock
    from bot.store.db import Database
    from bot.store.staff_accounts import StaffAccounts

    async def main() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await work(StaffAccounts(db), SystemClock())
        finally:
            await db.close()

    return asyncio.run(main())


def _library_ids(settings: Settings) -> set[str]:
    from bot.content.loader import load_content
    from bot.content.root import content_root

    content = load_content(content_root())
    return {library.id for library in content.libraries.libraries}


async def _added_library_ids(accounts: Any) -> set[str]:
    from bot.store.branch_settings import BranchSettingsStore

    return set(await BranchSettingsStore(accounts.db).library_ids())


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated)."""
    from bot.web.passwords import generate_password, password_problem

    if args.generate:
        return generate_password(), True
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if not sys.stdin.isatty():
        return generate_password(), True
    while True:
        first = getpass.getpass("Nieuw wachtwoord: ")
        problem = password_problem(first)
        if problem:
            print(problem, file=sys.stderr)
            continue
        if getpass.getpass("Nog een keer: ") == first:
            return first, False
        print("De twee wachtwoorden zijn niet gelijk.", file=sys.stderr)


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.staff_accounts import DuplicateEmail
    from bot.web.users import AccountError, check_account, create_user

    known = _library_ids(settings)

    async def work(accounts: Any, clock: Any) -> int:
        libraries = known | await _added_library_ids(accounts)
        try:
            check_account(args.email, args.role, args.library, libraries)
            password, generated = _password(args)
            user = await create_user(
                accounts,
                email=args.email,
                role=args.role,
                library_id=args.library,
                password=password,
                name=args.name,
                libraries=libraries,
                now=clock.now(),
            )
        except AccountError as error:
            print(str(error), file=sys.stderr)
            return 1
        except DuplicateEmail:
            print(f"Er is al een account met {args.email}.", file=sys.stderr)
            return 1
        where = f" bij {user.library_id}" if user.library_id else ", alle bibliotheken"
        print(f"Account {user.email} ({user.role}{where}) gemaakt, nummer {user.id}.")
        if generated:
            print(f"Wachtwoord (wordt niet nog eens getoond): {password}")
        return 0

    return _with_accounts(settings, work)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(accounts: Any, clock: Any) -> int:
        users = await accounts.users()
        rows = [
            {
                "id": user.id,
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "library": user.library_id,
                "active": user.active,
                "last_login": user.last_login_at.isoformat() if user.last_login_at else None,
            }
            for user in users
        ]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for row in rows:
                state = "" if row["active"] else "  (uit)"
                library = row["library"] or "-"
                print(f"{row['id']:>4}  {row['email']:<40} {row['role']:<8} {library}{state}")
        return 0

    return _with_accounts(settings, work)


def run_password(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.passwords import hash_password, password_problem

    async def work(accounts: Any, clock: Any) -> int:
        user = await accounts.by_email(args.email)
        if user is None:
            print(f"Geen account met {args.email}.", file=sys.stderr)
            return 1
        password, generated = _password(args)
        problem = password_problem(password)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        await accounts.set_password(user.id, hash_password(password), clock.now())
        print(f"Nieuw wachtwoord voor {user.email} bewaard; hun sessies zijn beëindigd.")
        if generated:
            print(f"Wachtwoord (wordt niet nog eens getoond): {password}")
        return 0

    return _with_accounts(settings, work)


def run_toggle(args: argparse.Namespace, settings: Settings) -> int:
    async def work(accounts: Any, clock: Any) -> int:
        user = await accounts.by_email(args.email)
        if user is None:
            print(f"Geen account met {args.email}.", file=sys.stderr)
            return 1
        await accounts.set_active(user.id, args.active, clock.now())
        print(f"{user.email} staat nu {'aan' if args.active else 'uit'}.")
        return 0

    return _with_accounts(settings, work)


def run_token(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.users import AccountError, issue_token

    async def work(accounts: Any, clock: Any) -> int:
        if args.revoke is not None:
            if await accounts.revoke_token(args.revoke, clock.now()):
                print(f"Token {args.revoke} werkt niet meer.")
                return 0
            print(f"Geen werkend token met nummer {args.revoke}.", file=sys.stderr)
            return 1
        user = await accounts.by_email(args.email) if args.email else None
        if args.email and user is None:
            print(f"Geen account met {args.email}.", file=sys.stderr)
            return 1
        if args.list:
            for token in await accounts.tokens(user.id if user else None):
                state = "ingetrokken" if token.revoked_at else "werkt"
                print(f"{token.id:>4}  {token.prefix}…  {token.name:<30} {state}")
            return 0
        if user is None:
            print("Geef --email (het account waarvoor het token werkt).", file=sys.stderr)
            return 2
        try:
            new = await issue_token(accounts, user, args.name, clock.now())
        except AccountError as error:
            print(str(error), file=sys.stderr)
            return 1
        print(f"Token {new.record.id} voor {user.email} ({user.role}):")
        print(new.token)
        print(
            "Bewaar het nu: het wordt niet nog eens getoond. Gebruik: Authorization: Bearer <token>"
        )
        return 0

    return _with_accounts(settings, work)
