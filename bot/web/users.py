"""Creating accounts and API tokens, with the same checks for the command line and admin pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass

from bot.store.staff_accounts import StaffAccounts, TokenRecord, UserRecord
from bot.web.access import ADMIN, ALL_ROLES
from bot.web.auth import new_api_token
from bot.web.passwords import hash_password, password_problem

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """What is wrong with the account asked for (Dutch, for the admin or the terminal)."""


@dataclass(frozen=True)
class NewToken:
    token: str
    """Shown once; only its hash is stored."""
    record: TokenRecord


def check_account(
    email: str, role: str, library_id: str | None, libraries: Collection[str]
) -> None:
    if not _EMAIL.match(email.strip()):
        raise AccountError(f"{email!r} is geen e-mailadres.")
    if role not in ALL_ROLES:
        raise AccountError(f"Onbekende rol {role!r}: kies admin, staff of trainer.")
    if library_id is None and role != ADMIN:
        raise AccountError("Een medewerker of trainer hoort bij een bibliotheek (--library).")
    if library_id is not None and library_id not in libraries:
        raise AccountError(f"Onbekende bibliotheek {library_id!r}.")


async def create_user(
    accounts: StaffAccounts,
    *,
    email: str,
    role: str,
    library_id: str | None,
    password: str,
    name: str | None,
    libraries: Collection[str],
    now: dt.datetime,
) -> UserRecord:
    check_account(email, role, library_id, libraries)
    problem = password_problem(password)
    if problem is not None:
        raise AccountError(problem)
    return await accounts.add_user(
        email=email,
        role=role,
        library_id=library_id,
        password_hash=hash_password(password),
        name=(name or "").strip() or None,
        now=now,
    )


async def issue_token(
    accounts: StaffAccounts, user: UserRecord, name: str, now: dt.datetime
) -> NewToken:
    if not user.active:
        raise AccountError("Dit account is uitgezet.")
    token, prefix, token_hash = new_api_token()
    record = await accounts.add_token(user.id, name.strip() or "API", prefix, token_hash, now)
    return NewToken(token, record)
