"""Per branch: the slot template (appointment windows, length, seats), opening hours (admins),
holiday rules, closures and the coming public holidays. Saved as settings laid over
knowledge/libraries.yml (bot/appointments/overrides.py), so the chat books by them at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.appointments import overrides
from bot.appointments.calendar import holidays_for
from bot.appointments.schema import WEEKDAYS, Branch, WeeklyHours
from bot.store.branch_settings import ClosureRecord
from bot.web.access import ADMIN, STAFF, managed_libraries, staff_branch
from bot.web.auth import Principal
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms

WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ROLES = (STAFF, ADMIN)
TEMPLATE_FIELDS = ("appointment_windows", "appointment_minutes", "capacity")
HOLIDAY_FIELDS = ("holiday_rules",)
HOURS_FIELDS = ("opening_hours",)


def hours_text(hours: WeeklyHours) -> dict[str, str]:
    return {day: ", ".join(str(r) for r in hours.on(index)) for index, day in enumerate(WEEKDAYS)}


def hours_from_form(form: Any, prefix: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        raw = str(form.get(f"{prefix}_{day}") or "")
        result[day] = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    return result


async def branch_list(request: Request, principal: Principal, services: Services) -> Response:
    libraries = managed_libraries(services.app.content, principal)
    return services.templates.page(
        request,
        "staff/branches.html",
        principal=principal,
        csrf=principal.csrf,
        libraries=libraries,
    )


async def branch_page(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    return await _render(request, principal, services, branch)


async def _render(
    request: Request,
    principal: Principal,
    services: Services,
    branch: Branch,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    today = forms.today(services.clock.now())
    horizon = today + dt.timedelta(days=365)
    holidays = sorted(
        (day, name)
        for year in (today.year, today.year + 1)
        for day, name in holidays_for(branch, year).items()
        if today <= day <= horizon
    )
    closures = [c for c in branch.closures if c.last_day >= today]
    added = await services.branches.closures(branch.id)
    changed = await services.branches.settings(branch.id)
    slots = await services.desk().free_slots(branch.id, 6)
    return services.templates.page(
        request,
        "staff/branch.html",
        status_code=status,
        principal=principal,
        csrf=principal.csrf,
        errors=errors or [],
        branch=branch,
        weekdays=list(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)),
        windows=hours_text(branch.appointment_windows),
        opening=hours_text(branch.opening_hours),
        holidays=holidays,
        closures=closures,
        added={(c.starts_on, c.ends_on, c.reason): c for c in added if c.ends_on >= today},
        changed=sorted(changed),
        may_edit_hours=principal.role == ADMIN,
        slots=slots,
    )


async def _save(
    request: Request,
    principal: Principal,
    services: Services,
    branch: Branch,
    fields: dict[str, Any],
    group: tuple[str, ...],
) -> Response:
    """Validate the branch with the new fields (the same schema as libraries.yml), then save."""
    form = form_of(request)
    content = services.app.content
    library = content.libraries.library_of(branch.id)
    if form.get("reset"):
        fields, removed = {}, group
    else:
        removed = ()
    current = await services.branches.load()
    settings = {**current.settings.get(branch.id, {}), **fields}
    for name in removed:
        settings.pop(name, None)
    base = overrides.unmerged_branch(overrides.file_directory(content), current, branch.id)
    if base is None:
        raise HTTPException(404, "Onbekende vestiging.")
    try:
        overrides.merge_branch(
            base, settings, [c for c in current.closures if c.branch_id == branch.id]
        )
    except ValidationError as error:
        problems = [_problem(item) for item in error.errors()]
        return await _render(request, principal, services, branch, errors=problems, status=400)
    await services.branches.set_fields(
        branch.id, library.id, fields, removed, principal.email, services.clock.now()
    )
    await _changed(services)
    await services.log(
        principal, "branch_settings_changed", library_id=library.id, subject=f"branch:{branch.id}"
    )
    return done(f"/vestigingen/{branch.id}", "settings")


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"])
    return f"{where}: {str(item['msg']).removeprefix('Value error, ')}"


async def _changed(services: Services) -> None:
    if services.after_branch_change is not None:
        await services.after_branch_change()


def _int(form: Any, name: str) -> int:
    try:
        return int(str(form.get(name) or ""))
    except ValueError:
        raise HTTPException(400, f"{name}: geef een heel getal.") from None


async def save_template(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    form = form_of(request)
    fields: dict[str, Any] = {}
    if not form.get("reset"):
        fields = {
            "appointment_windows": hours_from_form(form, "window"),
            "appointment_minutes": _int(form, "appointment_minutes"),
            "capacity": _int(form, "capacity"),
        }
    return await _save(request, principal, services, branch, fields, TEMPLATE_FIELDS)


async def save_hours(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    form = form_of(request)
    fields = {} if form.get("reset") else {"opening_hours": hours_from_form(form, "open")}
    return await _save(request, principal, services, branch, fields, HOURS_FIELDS)


async def save_holidays(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    form = form_of(request)
    fields: dict[str, Any] = {}
    if not form.get("reset"):
        fields = {
            "holiday_rules": {
                "liberation_day": forms.text(form, "liberation_day") or "lustrum",
                "good_friday_closed": form.get("good_friday_closed") == "yes",
                "christmas_eve_closes_at": forms.text(form, "christmas_eve_closes_at") or None,
                "new_years_eve_closes_at": forms.text(form, "new_years_eve_closes_at") or None,
            }
        }
    return await _save(request, principal, services, branch, fields, HOLIDAY_FIELDS)


async def add_closure(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    form = form_of(request)
    starts = forms.date(forms.text(form, "starts_on"))
    ends = forms.date(forms.text(form, "ends_on"), default=starts)
    reason = forms.text(form, "reason", limit=120) or "Gesloten"
    closed_from = forms.text(form, "closed_from", limit=5) or None
    closed_until = forms.text(form, "closed_until", limit=5) or None
    library = services.app.content.libraries.library_of(branch.id)
    record = ClosureRecord(
        0, branch.id, library.id, starts, ends, reason, closed_from, closed_until, ""
    )
    try:
        overrides.merge_branch(branch, {}, [record])
    except ValidationError as error:
        problems = [str(item["msg"]).removeprefix("Value error, ") for item in error.errors()]
        return await _render(request, principal, services, branch, errors=problems, status=400)
    await services.branches.add_closure(
        branch_id=branch.id,
        library_id=library.id,
        starts_on=starts,
        ends_on=ends,
        reason=reason,
        closed_from=closed_from,
        closed_until=closed_until,
        by=principal.email,
        now=services.clock.now(),
    )
    await _changed(services)
    await services.log(
        principal, "closure_added", library_id=library.id, subject=f"branch:{branch.id}"
    )
    return done(f"/vestigingen/{branch.id}", "closure")


async def remove_closure(request: Request, principal: Principal, services: Services) -> Response:
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    closure_id = int(request.path_params["closure_id"])
    if not await services.branches.remove_closure(branch.id, closure_id):
        raise HTTPException(404, "Deze sluiting bestaat niet.")
    await _changed(services)
    library = services.app.content.libraries.library_of(branch.id)
    await services.log(
        principal, "closure_removed", library_id=library.id, subject=f"branch:{branch.id}"
    )
    return done(f"/vestigingen/{branch.id}", "closure_removed")


def routes() -> list[BaseRoute]:
    one = "/vestigingen/{branch_id}"
    return [
        page("/vestigingen", branch_list, roles=ROLES, name="branches"),
        page(one, branch_page, roles=ROLES, name="branch"),
        page(f"{one}/sjabloon", save_template, roles=ROLES, methods=("POST",), name="template"),
        page(f"{one}/openingstijden", save_hours, roles=(ADMIN,), methods=("POST",), name="hours"),
        page(f"{one}/feestdagen", save_holidays, roles=ROLES, methods=("POST",), name="holidays"),
        page(f"{one}/sluitingen", add_closure, roles=ROLES, methods=("POST",), name="closure"),
        page(
            one + "/sluitingen/{closure_id:int}/weg",
            remove_closure,
            roles=ROLES,
            methods=("POST",),
            name="closure_remove",
        ),
    ]
