"""Accounts: list and create them, turn them off and on, set a new password, API tokens."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.store.staff_accounts import DuplicateEmail, UserRecord
from bot.web.access import ADMIN, ALL_ROLES, Denied, managed_libraries
from bot.web.auth import Principal
from bot.web.passwords import generate_password, hash_password
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms
from bot.web.users import AccountError, create_user, issue_token


def _may_manage(principal: Principal, user: UserRecord) -> bool:
    return principal.library_id is None or principal.library_id == user.library_id


async def _user(services: Services, principal: Principal, user_id: int) -> UserRecord:
    user = await services.accounts.user(user_id)
    if user is None:
        raise HTTPException(404, "Dit account bestaat niet.")
    if not _may_manage(principal, user):
        raise Denied(f"user:{user_id}", user.library_id)
    return user


async def user_list(
    request: Request,
    principal: Principal,
    services: Services,
    *,
    errors: list[str] | None = None,
    status: int = 200,
    new_password: str = "",
    new_email: str = "",
) -> Response:
    users = await services.accounts.users(principal.library_id)
    return services.templates.page(
        request,
        "admin/users.html",
        status_code=status,
        principal=principal,
        csrf=principal.csrf,
        errors=errors or [],
        users=users,
        libraries=managed_libraries(services.app.content, principal),
        roles=ALL_ROLES,
        new_password=new_password,
        new_email=new_email,
    )


async def list_page(request: Request, principal: Principal, services: Services) -> Response:
    return await user_list(request, principal, services)


async def add(request: Request, principal: Principal, services: Services) -> Response:
    form = form_of(request)
    email = forms.text(form, "email", limit=254)
    role = forms.text(form, "role")
    library_id = forms.text(form, "library") or None
    if principal.library_id is not None:
        library_id = principal.library_id  # a library's admin adds people to their own library
    password = generate_password()
    libraries = {library.id for library in services.app.content.libraries.libraries}
    try:
        await create_user(
            services.accounts,
            email=email,
            role=role,
            library_id=library_id,
            password=password,
            name=forms.text(form, "name", limit=120),
            libraries=libraries,
            now=services.clock.now(),
        )
    except AccountError as error:
        return await user_list(request, principal, services, errors=[str(error)], status=400)
    except DuplicateEmail:
        return await user_list(
            request, principal, services, errors=[f"Er is al een account met {email}."], status=400
        )
    await services.log(principal, "user_added", library_id=library_id, subject=f"user:{email}")
    # Shown once, on this page only; the new person changes nothing else with it.
    return await user_list(
        request, principal, services, new_password=password, new_email=email.lower()
    )


async def detail(
    request: Request,
    principal: Principal,
    services: Services,
    *,
    new_token: str = "",
    new_password: str = "",
) -> Response:
    user = await _user(services, principal, int(request.path_params["user_id"]))
    return services.templates.page(
        request,
        "admin/user.html",
        principal=principal,
        csrf=principal.csrf,
        user=user,
        tokens=await services.accounts.tokens(user.id),
        sessions=await services.accounts.session_count(user.id),
        new_token=new_token,
        new_password=new_password,
    )


async def detail_page(request: Request, principal: Principal, services: Services) -> Response:
    return await detail(request, principal, services)


async def toggle(request: Request, principal: Principal, services: Services) -> Response:
    user = await _user(services, principal, int(request.path_params["user_id"]))
    if user.id == principal.user_id:
        raise HTTPException(400, "Je kunt je eigen account niet uitzetten.")
    await services.accounts.set_active(user.id, not user.active, services.clock.now())
    await services.log(
        principal,
        "user_disabled" if user.active else "user_enabled",
        library_id=user.library_id,
        subject=f"user:{user.email}",
    )
    return done(f"/beheer/gebruikers/{user.id}", "user_changed")


async def new_password(request: Request, principal: Principal, services: Services) -> Response:
    user = await _user(services, principal, int(request.path_params["user_id"]))
    password = generate_password()
    await services.accounts.set_password(user.id, hash_password(password), services.clock.now())
    await services.log(
        principal, "password_reset", library_id=user.library_id, subject=f"user:{user.email}"
    )
    return await detail(request, principal, services, new_password=password)


async def add_token(request: Request, principal: Principal, services: Services) -> Response:
    user = await _user(services, principal, int(request.path_params["user_id"]))
    name = forms.text(form_of(request), "name", limit=80) or "API"
    try:
        token = await issue_token(services.accounts, user, name, services.clock.now())
    except AccountError as error:
        raise HTTPException(400, str(error)) from None
    await services.log(
        principal, "token_created", library_id=user.library_id, subject=f"user:{user.email}"
    )
    return await detail(request, principal, services, new_token=token.token)


async def revoke_token(request: Request, principal: Principal, services: Services) -> Response:
    user = await _user(services, principal, int(request.path_params["user_id"]))
    token_id = int(request.path_params["token_id"])
    token = await services.accounts.token(token_id)
    if token is None or token.user_id != user.id:
        raise HTTPException(404, "Dit token bestaat niet.")
    await services.accounts.revoke_token(token_id, services.clock.now())
    await services.log(
        principal, "token_revoked", library_id=user.library_id, subject=f"token:{token.prefix}"
    )
    return done(f"/beheer/gebruikers/{user.id}", "token_revoked")


def routes() -> list[BaseRoute]:
    one = "/beheer/gebruikers/{user_id:int}"
    roles = (ADMIN,)
    return [
        page("/beheer/gebruikers", list_page, roles=roles, name="users"),
        page("/beheer/gebruikers", add, roles=roles, methods=("POST",), name="user_add"),
        page(one, detail_page, roles=roles, name="user"),
        page(f"{one}/aan-uit", toggle, roles=roles, methods=("POST",), name="user_toggle"),
        page(
            f"{one}/wachtwoord", new_password, roles=roles, methods=("POST",), name="user_password"
        ),
        page(f"{one}/tokens", add_token, roles=roles, methods=("POST",), name="token_add"),
        page(
            one + "/tokens/{token_id:int}/intrekken",
            revoke_token,
            roles=roles,
            methods=("POST",),
            name="token_revoke",
        ),
    ]
