"""The frame every dashboard route runs in: the shared services, and route helpers that check
the session or token, the role and the CSRF token before any handler runs.

Routes are made only through `page`, `api` and `public`. Each route carries `access` ("session",
"token" or "public") and its roles, so tests can walk all routes and prove that none answers
without a session or token and that no form is accepted without its CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.app import App
from bot.appointments.staff import StaffDesk
from bot.clock import Clock
from bot.notify import Notifier
from bot.settings import Settings
from bot.store.audit import AuditLog
from bot.store.branch_settings import BranchSettingsStore
from bot.store.classes import ClassStore
from bot.store.insight import InsightStore
from bot.store.notes import NoteStore
from bot.store.staff_accounts import StaffAccounts
from bot.web.access import Denied
from bot.web.auth import Principal, Sessions
from bot.web.rendering import Templates
from bot.web.wording import CSRF_FAILED

log = logging.getLogger(__name__)

LOGIN_PATH = "/inloggen"


class Unreachable:
    """The notifier until a channel is connected: nobody can be reached (False, not an error)."""

    async def notify(self, channel: str, chat_id: str, replies: Sequence[Any]) -> bool:
        return False


@dataclass
class Services:
    app: App
    settings: Settings
    templates: Templates
    accounts: StaffAccounts
    audit: AuditLog
    classes: ClassStore
    notes: NoteStore
    branches: BranchSettingsStore
    insight: InsightStore
    notifier: Notifier = field(default_factory=Unreachable)
    sessions: Sessions | None = None
    """Set when the dashboard starts (the key may come from the database)."""
    bot_username: Callable[[], str | None] = lambda: None
    after_branch_change: Callable[[], Awaitable[None]] | None = None

    @property
    def clock(self) -> Clock:
        return self.app.clock

    @property
    def auth(self) -> Sessions:
        assert self.sessions is not None, "the dashboard has not started"
        return self.sessions

    def desk(self) -> StaffDesk:
        return StaffDesk.for_app(self.app, self.notifier)

    async def log(
        self,
        principal: Principal,
        action: str,
        *,
        library_id: str | None,
        participants: Sequence[int | None] = (None,),
        subject: str | None = None,
    ) -> None:
        await self.audit.write(
            at=self.clock.now(),
            user_id=principal.user_id,
            actor=principal.actor,
            role=principal.role,
            via=principal.via,
            action=action,
            library_id=library_id,
            participant_ids=tuple(participants),
            subject=subject,
        )


Handler = Callable[[Request, Principal, Services], Awaitable[Response]]
PublicHandler = Callable[[Request, Services], Awaitable[Response]]


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def form_of(request: Request) -> FormData:
    form: FormData = request.state.form
    return form


def _same_origin(request: Request) -> bool:
    """A browser says where a form came from; a form from another site is refused."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not every client sends it; the CSRF token still has to match
    if origin == "null":
        return False
    return urlsplit(origin).netloc == request.headers.get("host", "")


def page(
    path: str,
    handler: Handler,
    *,
    roles: Sequence[str],
    methods: Sequence[str] = ("GET",),
    name: str | None = None,
) -> Route:
    """A dashboard page or form target: session required (else to the login page), role
    checked (else 403), and for POST a valid CSRF token (else 403) before `handler` runs."""

    async def endpoint(request: Request) -> Response:
        services = services_of(request)
        principal = await services.auth.principal(request)
        if principal is None:
            target = request.url.path if request.method == "GET" else "/"
            return RedirectResponse(f"{LOGIN_PATH}?next={quote(target)}", status_code=303)
        if principal.role not in roles:
            raise HTTPException(403, "Deze pagina is niet voor jouw rol.")
        if request.method == "POST":
            if not _same_origin(request):
                raise HTTPException(403, CSRF_FAILED)
            async with request.form(max_files=0, max_fields=200) as form:
                if not services.auth.csrf_valid(principal, str(form.get("csrf_token") or "")):
                    raise HTTPException(403, CSRF_FAILED)
                request.state.form = form
                return await handler(request, principal, services)
        return await handler(request, principal, services)

    route = Route(path, endpoint, methods=list(methods), name=name)
    route.access = "session"  # type: ignore[attr-defined]
    route.roles = tuple(roles)  # type: ignore[attr-defined]
    return route


def api(path: str, handler: Handler, *, roles: Sequence[str], name: str | None = None) -> Route:
    """A JSON API route: `Authorization: Bearer wgw_...` required (else 401), role checked."""

    async def endpoint(request: Request) -> Response:
        services = services_of(request)
        principal = await services.auth.token_principal(request.headers.get("authorization"))
        if principal is None:
            return JSONResponse(
                {"error": "unauthorized", "detail": "Send Authorization: Bearer <token>."},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="wegwijs"'},
            )
        if principal.role not in roles:
            return JSONResponse(
                {"error": "forbidden", "detail": f"not for the role {principal.role}"},
                status_code=403,
            )
        return await handler(request, principal, services)

    route = Route(path, endpoint, methods=["GET"], name=name)
    route.access = "token"  # type: ignore[attr-defined]
    route.roles = tuple(roles)  # type: ignore[attr-defined]
    return route


def public(
    path: str, handler: PublicHandler, *, methods: Sequence[str] = ("GET",), name: str | None = None
) -> Route:
    async def endpoint(request: Request) -> Response:
        return await handler(request, services_of(request))

    route = Route(path, endpoint, methods=list(methods), name=name)
    route.access = "public"  # type: ignore[attr-defined]
    route.roles = ()  # type: ignore[attr-defined]
    return route


def done(path: str, flash: str) -> RedirectResponse:
    """After a form: back to a page, which shows what happened (post/redirect/get)."""
    if not flash:
        return RedirectResponse(path, status_code=303)
    joiner = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{joiner}ok={quote(flash)}", status_code=303)


# -- errors --------------------------------------------------------------------------------------
TITLES = {
    400: "Dat klopt niet helemaal",
    401: "Log eerst in",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Dat kan hier niet",
    409: "Nog niet mogelijk",
    410: "Niet meer beschikbaar",
    413: "Te groot",
    429: "Even wachten",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    services = services_of(request)
    if isinstance(exc, Denied):
        principal = None
        try:
            principal = await services.auth.principal(
                request
            ) or await services.auth.token_principal(request.headers.get("authorization"))
        except Exception:  # an audit row must never turn a 404 into a 500
            log.exception("could not identify a denied request")
        if principal is not None:
            await services.log(principal, "denied", library_id=exc.library_id, subject=exc.what)
        detail = "Dit bestaat niet, of het hoort niet bij jouw bibliotheek."
    else:
        detail = str(exc.detail) if exc.detail and exc.detail != _default(exc.status_code) else ""
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"error": _default(exc.status_code) or "error", "detail": detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    return services.templates.page(
        request,
        "error.html",
        status_code=exc.status_code,
        title=TITLES.get(exc.status_code, "Er ging iets mis"),
        detail=detail,
    )


def _default(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
