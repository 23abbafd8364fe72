"""Library organisations: the overview, adding one (the same YAML as an entry of
knowledge/libraries.yml, validated by the same schema) or removing one added here; the audit log."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.appointments import overrides
from bot.appointments.schema import Library
from bot.web.access import ADMIN, managed_libraries
from bot.web.auth import Principal
from bot.web.site import Services, done, form_of, page

EXAMPLE = """id: bibliotheek-voorbeeld
name: Bibliotheek Voorbeeld
website: https://www.bibliotheekvoorbeeld.nl
gemeenten: [Voorbeeld]
branches:
  - id: voorbeeld-centrum
    name: Bibliotheek Voorbeeld Centrum
    address: {street: Marktplein, number: "1", postcode: 1234 AB, city: Voorbeeld}
    opening_hours: {mon: "10:00-17:00", tue: "10:00-17:00", thu: "10:00-20:00"}
    appointment_windows: {tue: "10:00-12:00", thu: "13:30-16:00"}
    appointment_minutes: 45
    capacity: 1
    source: [https://www.bibliotheekvoorbeeld.nl/openingstijden]
    checked: 2026-11-26
    verified: false
    note: Openingstijden overgenomen van de website, nog niet bevestigd.
"""


def _global_admin(principal: Principal) -> None:
    if principal.library_id is not None:
        raise HTTPException(403, "Alleen een beheerder van alle bibliotheken kan dit.")


async def overview(request: Request, principal: Principal, services: Services) -> Response:
    content = services.app.content
    added = set(await services.branches.library_ids())
    return services.templates.page(
        request,
        "admin/libraries.html",
        principal=principal,
        csrf=principal.csrf,
        libraries=managed_libraries(content, principal),
        added=added,
        may_add=principal.library_id is None,
        example=EXAMPLE,
        source="",
    )


def _problems(error: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in item['loc']) or 'bestand'}: "
        f"{str(item['msg']).removeprefix('Value error, ')}"
        for item in error.errors()
    ]


async def save(request: Request, principal: Principal, services: Services) -> Response:
    _global_admin(principal)
    source = str(form_of(request).get("yaml") or "")[:100_000]
    problems: list[str] = []
    data: Any = None
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        problems.append(f"Geen geldige YAML: {error}")
    library: Library | None = None
    if not problems:
        try:
            library = Library.model_validate(data)
        except ValidationError as error:
            problems += _problems(error)
    if library is not None:
        taken = {
            ident
            for lib in overrides.file_directory(services.app.content).libraries
            for ident in (lib.id, *(b.id for b in lib.branches))
        }
        current = await services.branches.load()
        for other in overrides.added_libraries(
            overrides.file_directory(services.app.content), current
        ):
            if other.id != library.id:
                taken |= {other.id, *(b.id for b in other.branches)}
        clash = taken & {library.id, *(b.id for b in library.branches)}
        if clash:
            problems.append(f"Deze ids zijn al in gebruik: {', '.join(sorted(clash))}.")
    if problems or library is None:
        return services.templates.page(
            request,
            "admin/libraries.html",
            status_code=400,
            principal=principal,
            csrf=principal.csrf,
            errors=problems,
            libraries=managed_libraries(services.app.content, principal),
            added=set(await services.branches.library_ids()),
            may_add=True,
            example=EXAMPLE,
            source=source,
        )
    await services.branches.put_library(
        library.id, library.model_dump(mode="json"), principal.email, services.clock.now()
    )
    if services.after_branch_change is not None:
        await services.after_branch_change()
    await services.log(
        principal, "library_saved", library_id=library.id, subject=f"library:{library.id}"
    )
    return done("/beheer", "library_saved")


async def remove(request: Request, principal: Principal, services: Services) -> Response:
    _global_admin(principal)
    library_id = str(request.path_params["library_id"])
    if not await services.branches.remove_library(library_id):
        raise HTTPException(404, "Alleen bibliotheken die hier zijn toegevoegd kun je weghalen.")
    if services.after_branch_change is not None:
        await services.after_branch_change()
    await services.log(
        principal, "library_removed", library_id=library_id, subject=f"library:{library_id}"
    )
    return done("/beheer", "library_removed")


async def audit(request: Request, principal: Principal, services: Services) -> Response:
    participant = request.query_params.get("deelnemer")
    entries = await services.audit.entries(
        library_id=principal.library_id,
        participant_id=int(participant) if participant and participant.isdigit() else None,
        limit=500,
    )
    return services.templates.page(
        request,
        "admin/audit.html",
        principal=principal,
        csrf=principal.csrf,
        entries=entries,
        participant=participant or "",
    )


def routes() -> list[BaseRoute]:
    return [
        page("/beheer", overview, roles=(ADMIN,), name="admin"),
        page("/beheer/bibliotheken", save, roles=(ADMIN,), methods=("POST",), name="library_save"),
        page(
            "/beheer/bibliotheken/{library_id}/weg",
            remove,
            roles=(ADMIN,),
            methods=("POST",),
            name="library_remove",
        ),
        page("/beheer/audit", audit, roles=(ADMIN,), name="audit"),
    ]
