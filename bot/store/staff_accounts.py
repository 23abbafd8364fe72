"""Dashboard accounts in the database: users, browser sessions, API tokens, failed logins, and
the dashboard's own settings (the generated session key).

Secrets never reach this module in the clear except to be hashed by the caller: sessions and
tokens are looked up by the SHA-256 of the random value the browser or library system holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.dashboard_tables import (
    ApiToken,
    DashboardSetting,
    LoginFailure,
    StaffUser,
    WebSession,
)
from bot.store.db import Database

U = cast(Table, StaffUser.__table__)
WS = cast(Table, WebSession.__table__)
TOK = cast(Table, ApiToken.__table__)
LF = cast(Table, LoginFailure.__table__)
SET = cast(Table, DashboardSetting.__table__)


class DuplicateEmail(ValueError):
    """A user with this e-mail address exists already."""


@dataclass(frozen=True)
class UserRecord:
    id: int
    email: str
    name: str | None
    role: str
    library_id: str | None
    password_hash: str
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class TokenRecord:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _user(row: Any) -> UserRecord:
    return UserRecord(
        id=int(row.id),
        email=row.email,
        name=row.name,
        role=row.role,
        library_id=row.library_id,
        password_hash=row.password_hash,
        active=bool(row.active),
        created_at=_aware(row.created_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
        last_login_at=_aware(row.last_login_at),
    )


def _token(row: Any) -> TokenRecord:
    return TokenRecord(
        id=int(row.id),
        user_id=int(row.user_id),
        name=row.name,
        prefix=row.prefix,
        created_at=_aware(row.created_at) or dt.datetime.min.replace(tzinfo=dt.UTC),
        last_used_at=_aware(row.last_used_at),
        revoked_at=_aware(row.revoked_at),
    )


class StaffAccounts:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- users ------------------------------------------------------------------------------
    async def add_user(
        self,
        *,
        email: str,
        role: str,
        library_id: str | None,
        password_hash: str,
        name: str | None,
        now: dt.datetime,
    ) -> UserRecord:
        try:
            async with self.db.engine.begin() as connection:
                result = await connection.execute(
                    insert(U).values(
                        email=email.strip().lower(),
                        name=name,
                        role=role,
                        library_id=library_id,
                        password_hash=password_hash,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
                assert result.inserted_primary_key is not None
                user_id = int(result.inserted_primary_key[0])
        except IntegrityError as error:
            raise DuplicateEmail(email) from error
        found = await self.user(user_id)
        assert found is not None
        return found

    async def user(self, user_id: int) -> UserRecord | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(U).where(U.c.id == user_id))).first()
        return _user(row) if row is not None else None

    async def by_email(self, email: str) -> UserRecord | None:
        async with self.db.engine.connect() as connection:
            row = (
                await connection.execute(select(U).where(U.c.email == email.strip().lower()))
            ).first()
        return _user(row) if row is not None else None

    async def users(self, library_id: str | None = None) -> list[UserRecord]:
        """Everyone (library_id None) or the people of one library organisation, by e-mail."""
        statement = select(U).order_by(U.c.email)
        if library_id is not None:
            statement = statement.where(U.c.library_id == library_id)
        async with self.db.engine.connect() as connection:
            return [_user(row) for row in await connection.execute(statement)]

    async def set_password(self, user_id: int, password_hash: str, now: dt.datetime) -> None:
        """A new password ends every session of the user."""
        async with self.db.engine.begin() as connection:
            await connection.execute(
                update(U)
                .where(U.c.id == user_id)
                .values(password_hash=password_hash, updated_at=now)
            )
            await connection.execute(delete(WS).where(WS.c.user_id == user_id))

    async def set_active(self, user_id: int, active: bool, now: dt.datetime) -> None:
        """Deactivating someone ends their sessions and revokes their tokens at once."""
        async with self.db.engine.begin() as connection:
            await connection.execute(
                update(U).where(U.c.id == user_id).values(active=active, updated_at=now)
            )
            if not active:
                await connection.execute(delete(WS).where(WS.c.user_id == user_id))
                await connection.execute(
                    update(TOK)
                    .where(and_(TOK.c.user_id == user_id, TOK.c.revoked_at.is_(None)))
                    .values(revoked_at=now)
                )

    async def logged_in(self, user_id: int, now: dt.datetime) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(update(U).where(U.c.id == user_id).values(last_login_at=now))

    # -- sessions ---------------------------------------------------------------------------
    async def open_session(
        self, session_hash: str, user_id: int, now: dt.datetime, expires_at: dt.datetime
    ) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(delete(WS).where(WS.c.expires_at <= now))
            await connection.execute(
                insert(WS).values(
                    id=session_hash,
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )

    async def session_user(
        self, session_hash: str, now: dt.datetime, idle: dt.timedelta
    ) -> UserRecord | None:
        """The active user of a session that has neither expired nor been idle too long."""
        async with self.db.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(U, WS.c.last_seen_at.label("session_seen"))
                    .select_from(WS.join(U, U.c.id == WS.c.user_id))
                    .where(and_(WS.c.id == session_hash, WS.c.expires_at > now))
                )
            ).first()
            if row is None:
                return None
            seen = _aware(row.session_seen)
            if not row.active or seen is None or now - seen > idle:
                await connection.execute(delete(WS).where(WS.c.id == session_hash))
                return None
            if now - seen > dt.timedelta(minutes=1):
                # Not on every request: one write a minute per session is enough for idle time.
                await connection.execute(
                    update(WS).where(WS.c.id == session_hash).values(last_seen_at=now)
                )
        return _user(row)

    async def close_session(self, session_hash: str) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(delete(WS).where(WS.c.id == session_hash))

    async def session_count(self, user_id: int) -> int:
        async with self.db.engine.connect() as connection:
            result = await connection.execute(
                select(func.count()).select_from(WS).where(WS.c.user_id == user_id)
            )
            return int(result.scalar_one())

    # -- API tokens -------------------------------------------------------------------------
    async def add_token(
        self, user_id: int, name: str, prefix: str, token_hash: str, now: dt.datetime
    ) -> TokenRecord:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                insert(TOK).values(
                    user_id=user_id,
                    name=name[:80],
                    prefix=prefix,
                    token_hash=token_hash,
                    created_at=now,
                )
            )
            assert result.inserted_primary_key is not None
            row = (
                await connection.execute(
                    select(TOK).where(TOK.c.id == int(result.inserted_primary_key[0]))
                )
            ).first()
        return _token(row)

    async def tokens(self, user_id: int | None = None) -> list[TokenRecord]:
        statement = select(TOK).order_by(TOK.c.id)
        if user_id is not None:
            statement = statement.where(TOK.c.user_id == user_id)
        async with self.db.engine.connect() as connection:
            return [_token(row) for row in await connection.execute(statement)]

    async def token_user(
        self, token_hash: str, now: dt.datetime
    ) -> tuple[UserRecord, TokenRecord] | None:
        async with self.db.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(TOK).where(
                        and_(TOK.c.token_hash == token_hash, TOK.c.revoked_at.is_(None))
                    )
                )
            ).first()
            if row is None:
                return None
            user = (await connection.execute(select(U).where(U.c.id == row.user_id))).first()
            if user is None or not user.active:
                return None
            await connection.execute(update(TOK).where(TOK.c.id == row.id).values(last_used_at=now))
        return _user(user), _token(row)

    async def revoke_token(self, token_id: int, now: dt.datetime) -> bool:
        async with self.db.engine.begin() as connection:
            result = await connection.execute(
                update(TOK)
                .where(and_(TOK.c.id == token_id, TOK.c.revoked_at.is_(None)))
                .values(revoked_at=now)
            )
        return (result.rowcount or 0) == 1

    async def token(self, token_id: int) -> TokenRecord | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(TOK).where(TOK.c.id == token_id))).first()
        return _token(row) if row is not None else None

    # -- failed logins ----------------------------------------------------------------------
    async def failed_login(self, email: str, ip: str, now: dt.datetime) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(
                insert(LF).values(email=email.strip().lower()[:254], ip=ip[:64], at=now)
            )

    async def recent_failures(self, email: str, ip: str, since: dt.datetime) -> tuple[int, int]:
        """(failures for this e-mail address, failures from this client address) since then."""
        async with self.db.engine.begin() as connection:
            # Old rows only matter for as long as they can block someone.
            await connection.execute(delete(LF).where(LF.c.at < since - dt.timedelta(days=1)))
            by_email = await connection.execute(
                select(func.count())
                .select_from(LF)
                .where(and_(LF.c.email == email.strip().lower(), LF.c.at >= since))
            )
            by_ip = await connection.execute(
                select(func.count()).select_from(LF).where(and_(LF.c.ip == ip, LF.c.at >= since))
            )
            return int(by_email.scalar_one()), int(by_ip.scalar_one())

    async def clear_failures(self, email: str) -> None:
        async with self.db.engine.begin() as connection:
            await connection.execute(delete(LF).where(LF.c.email == email.strip().lower()))

    # -- settings ---------------------------------------------------------------------------
    async def setting(self, key: str) -> str | None:
        async with self.db.engine.connect() as connection:
            row = (await connection.execute(select(SET.c.value).where(SET.c.key == key))).first()
        return None if row is None else str(row.value)

    async def setting_or_create(self, key: str, value: str, now: dt.datetime) -> str:
        """The stored value; `value` is stored first if there is none (the first one wins)."""
        existing = await self.setting(key)
        if existing is not None:
            return existing
        try:
            async with self.db.engine.begin() as connection:
                await connection.execute(insert(SET).values(key=key, value=value, updated_at=now))
        except IntegrityError:
            pass  # another process stored one at the same moment: use theirs
        stored = await self.setting(key)
        assert stored is not None
        return stored
