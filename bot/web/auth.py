"""Who is asking: browser sessions (signed cookie + a row per session), API tokens, CSRF tokens.

- The session cookie holds a random secret signed with the dashboard key (itsdangerous); the
  database keeps only its SHA-256, so a stolen database does not log anyone in, and logging out
  or changing a password really ends a session. HttpOnly, SameSite=Lax, Secure over https.
- The CSRF token of a session is an HMAC of the session secret: only the browser holding the
  cookie can know it. Before login a signed random cookie plays that part (double submit).
- API tokens look like `wgw_<random>`; only their SHA-256 is stored, with a short prefix to
  recognise them in lists.
- The key: SECRET_KEY when set; otherwise one is generated once and kept in the database (with
  a warning in the log), so sessions survive restarts and every process agrees.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.responses import Response

from bot.clock import Clock
from bot.store.staff_accounts import StaffAccounts, UserRecord

log = logging.getLogger(__name__)

SESSION_COOKIE = "wegwijs_session"
LOGIN_COOKIE = "wegwijs_login"
SESSION_LIFETIME = dt.timedelta(hours=12)
SESSION_IDLE = dt.timedelta(hours=2)
KEY_SETTING = "secret_key"
TOKEN_PREFIX = "wgw_"


@dataclass(frozen=True)
class Principal:
    """The person (or library system) behind a request, with what the role allows."""

    user_id: int
    email: str
    name: str | None
    role: str
    library_id: str | None
    via: str
    """web or api."""
    csrf: str = ""
    session_hash: str = ""
    token_prefix: str = ""

    @property
    def actor(self) -> str:
        return f"{self.email} (token {self.token_prefix})" if self.via == "api" else self.email


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def load_secret_key(configured: str | None, accounts: StaffAccounts, clock: Clock) -> str:
    if configured:
        return configured
    log.warning(
        "SECRET_KEY is not set: using a generated key kept in the database. Set SECRET_KEY to "
        "a long random value of your own (e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`)."
    )
    return await accounts.setting_or_create(KEY_SETTING, secrets.token_urlsafe(48), clock.now())


class Sessions:
    def __init__(self, key: str, accounts: StaffAccounts, clock: Clock) -> None:
        self._key = key.encode()
        self._signer = Signer(key, salt="wegwijs-session")
        self._login_signer = Signer(key, salt="wegwijs-login-csrf")
        self.accounts = accounts
        self.clock = clock

    # -- browser sessions -------------------------------------------------------------------
    async def open(self, user: UserRecord, response: Response, request: Request) -> None:
        secret = secrets.token_urlsafe(32)
        now = self.clock.now()
        await self.accounts.open_session(sha256(secret), user.id, now, now + SESSION_LIFETIME)
        self._set_cookie(
            response, request, SESSION_COOKIE, self._signer.sign(secret).decode(), SESSION_LIFETIME
        )
        response.delete_cookie(LOGIN_COOKIE, path="/")

    async def close(self, request: Request, response: Response) -> None:
        secret = self._session_secret(request)
        if secret is not None:
            await self.accounts.close_session(sha256(secret))
        response.delete_cookie(SESSION_COOKIE, path="/")

    async def principal(self, request: Request) -> Principal | None:
        secret = self._session_secret(request)
        if secret is None:
            return None
        session_hash = sha256(secret)
        user = await self.accounts.session_user(session_hash, self.clock.now(), SESSION_IDLE)
        if user is None:
            return None
        return Principal(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            library_id=user.library_id,
            via="web",
            csrf=self._mac("csrf", secret),
            session_hash=session_hash,
        )

    def _session_secret(self, request: Request) -> str | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            return self._signer.unsign(cookie).decode()
        except BadSignature:
            return None

    # -- CSRF ---------------------------------------------------------------------------------
    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def login_csrf(self, request: Request) -> tuple[str, str | None]:
        """The token for the login form, and the pre-login cookie to set when there is none."""
        cookie = request.cookies.get(LOGIN_COOKIE)
        if cookie:
            try:
                return self._mac("login", self._login_signer.unsign(cookie).decode()), None
            except BadSignature:
                pass
        value = secrets.token_urlsafe(24)
        return self._mac("login", value), self._login_signer.sign(value).decode()

    def set_login_cookie(self, response: Response, request: Request, cookie: str) -> None:
        self._set_cookie(response, request, LOGIN_COOKIE, cookie, dt.timedelta(hours=2))

    def login_csrf_valid(self, request: Request, given: str) -> bool:
        cookie = request.cookies.get(LOGIN_COOKIE)
        if not cookie or not given:
            return False
        try:
            value = self._login_signer.unsign(cookie).decode()
        except BadSignature:
            return False
        return hmac.compare_digest(self._mac("login", value), given)

    @staticmethod
    def csrf_valid(principal: Principal, given: str) -> bool:
        return bool(given) and bool(principal.csrf) and hmac.compare_digest(principal.csrf, given)

    # -- API tokens ---------------------------------------------------------------------------
    async def token_principal(self, header: str | None) -> Principal | None:
        if not header or not header.startswith("Bearer "):
            return None
        token = header[len("Bearer ") :].strip()
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        found = await self.accounts.token_user(sha256(token), self.clock.now())
        if found is None:
            return None
        user, record = found
        return Principal(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            library_id=user.library_id,
            via="api",
            token_prefix=record.prefix,
        )

    @staticmethod
    def _set_cookie(
        response: Response, request: Request, name: str, value: str, lifetime: dt.timedelta
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def new_api_token() -> tuple[str, str, str]:
    """(token to hand out once, its prefix for lists, its hash to store)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:10], sha256(token)
