"""Logging in and out, with failed attempts limited per e-mail address and per client address."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from bot.web.access import ADMIN, ALL_ROLES, STAFF
from bot.web.auth import Principal
from bot.web.passwords import hash_password, needs_rehash, verify_password
from bot.web.site import Services, done, page, public
from bot.web.wording import CSRF_FAILED, LOGIN_FAILED, LOGIN_LIMITED

WINDOW = dt.timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_CLIENT = 20


def home_of(principal: Principal) -> str:
    if principal.role == STAFF:
        return "/meldingen"
    if principal.role == ADMIN:
        return "/beheer"
    return "/klassen"


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site (never //elsewhere or a full URL)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login_form(request: Request, services: Services) -> Response:
    principal = await services.auth.principal(request)
    if principal is not None:
        return RedirectResponse(home_of(principal), status_code=303)
    return _form(request, services)


def _form(
    request: Request, services: Services, *, error: str = "", email: str = "", status: int = 200
) -> Response:
    token, cookie = services.auth.login_csrf(request)
    next_path = _safe_next(request.query_params.get("next")) or ""
    response = services.templates.page(
        request,
        "login.html",
        status_code=status,
        csrf=token,
        error=error,
        email=email,
        next_path=next_path,
    )
    if cookie is not None:
        services.auth.set_login_cookie(response, request, cookie)
    return response


async def login(request: Request, services: Services) -> Response:
    async with request.form(max_files=0, max_fields=10) as form:
        email = str(form.get("email") or "").strip().lower()[:254]
        password = str(form.get("password") or "")[:1024]
        given = str(form.get("csrf_token") or "")
        next_path = _safe_next(str(form.get("next") or ""))
    if not services.auth.login_csrf_valid(request, given):
        return _form(request, services, error=CSRF_FAILED, email=email, status=403)
    now = services.clock.now()
    by_email, by_client = await services.accounts.recent_failures(
        email, _client(request), now - WINDOW
    )
    if by_email >= MAX_PER_EMAIL or by_client >= MAX_PER_CLIENT:
        return _form(request, services, error=LOGIN_LIMITED, email=email, status=429)
    user = await services.accounts.by_email(email) if email else None
    # Always verify, also for an unknown address: the answer takes as long either way.
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        await services.accounts.failed_login(email, _client(request), now)
        return _form(request, services, error=LOGIN_FAILED, email=email, status=401)
    await services.accounts.clear_failures(email)
    if needs_rehash(user.password_hash):
        await services.accounts.set_password(user.id, hash_password(password), now)
    await services.accounts.logged_in(user.id, now)
    target = next_path or home_of(
        Principal(user.id, user.email, user.name, user.role, user.library_id, "web")
    )
    response = RedirectResponse(target, status_code=303)
    await services.auth.open(user, response, request)
    return response


async def logout(request: Request, principal: Principal, services: Services) -> Response:
    response = done("/inloggen", "logged_out")
    await services.auth.close(request, response)
    return response


async def home(request: Request, principal: Principal, services: Services) -> Response:
    return RedirectResponse(home_of(principal), status_code=303)


def routes() -> list[BaseRoute]:
    return [
        public("/inloggen", login_form, name="login"),
        public("/inloggen", login, methods=("POST",), name="login_post"),
        page("/uitloggen", logout, roles=ALL_ROLES, methods=("POST",), name="logout"),
        page("/", home, roles=ALL_ROLES, name="home"),
    ]
