"""The JSON API for library systems: branches, free slots, appointments and escalations.

A token (`Authorization: Bearer wgw_...`, made with `wegwijs users token` or on an admin page)
acts as its account: staff tokens read their own library's appointments and escalations; admin
and trainer tokens read branches and slots only. Each read of participants' data is audited.
The description is at /api/openapi.json (OpenAPI 3.1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from bot.appointments.schema import Branch
from bot.appointments.staff import AgendaEntry, HandoverView
from bot.language.bidi import strip_isolates
from bot.web.access import ALL_ROLES, STAFF, TRAINER, manages_library, own_library
from bot.web.api.openapi import document
from bot.web.auth import Principal
from bot.web.site import Services, api, public
from bot.web.staff import forms

MAX_DAYS = 31
MAX_SLOTS = 50
STATUSES = ("new", "claimed", "done")


def _may_read_branches_of(principal: Principal, library_id: str) -> bool:
    if principal.role == TRAINER:
        return principal.library_id == library_id
    return manages_library(principal, library_id)


def _branch(services: Services, principal: Principal, branch_id: str | None) -> Branch:
    content = services.app.content
    if not branch_id:
        raise HTTPException(400, "Give ?branch=<branch id>.")
    try:
        owner = content.libraries.library_of(branch_id)
    except KeyError:
        raise HTTPException(404, "unknown branch") from None
    if not _may_read_branches_of(principal, owner.id):
        raise HTTPException(404, "unknown branch")
    return content.libraries.branch(branch_id)


def _time(value: dt.datetime) -> str:
    return value.isoformat()


async def branches(request: Request, principal: Principal, services: Services) -> Response:
    result = []
    for library in services.app.content.libraries.libraries:
        if not _may_read_branches_of(principal, library.id):
            continue
        for branch in library.branches:
            result.append(
                {
                    "id": branch.id,
                    "library_id": library.id,
                    "name": branch.name,
                    "address": branch.address.one_line(),
                    "appointment_minutes": branch.appointment_minutes,
                    "capacity": branch.capacity,
                }
            )
    return JSONResponse({"branches": result})


async def slots(request: Request, principal: Principal, services: Services) -> Response:
    branch = _branch(services, principal, request.query_params.get("branch"))
    try:
        count = min(int(request.query_params.get("count", "10")), MAX_SLOTS)
    except ValueError:
        raise HTTPException(400, "count must be a number") from None
    free = await services.desk().free_slots(branch.id, max(count, 1))
    return JSONResponse(
        {
            "branch_id": branch.id,
            "slots": [{"start": _time(s.start), "end": _time(s.end)} for s in free],
        }
    )


def _appointment(entry: AgendaEntry) -> dict[str, Any]:
    return {
        "id": entry.appointment_id,
        "participant_id": entry.participant_id,
        "library_id": entry.library_id,
        "branch_id": entry.branch_id,
        "start": _time(entry.start),
        "end": _time(entry.end),
        "status": entry.status,
        "task_id": entry.task_id,
        "task_title": entry.task_title,
        "language": entry.language,
        "interpreter": entry.interpreter,
        "booked_by": entry.booked_by,
    }


async def appointments(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    branch = _branch(services, principal, request.query_params.get("branch"))
    today = forms.today(services.clock.now())
    first = forms.date(request.query_params.get("from"), default=today)
    last = forms.date(request.query_params.get("to"), default=first)
    if last < first or (last - first).days >= MAX_DAYS:
        raise HTTPException(400, f"from..to must be 1 to {MAX_DAYS} days")
    desk = services.desk()
    entries: list[AgendaEntry] = []
    day = first
    while day <= last:
        entries += await desk.agenda(branch.id, day)
        day += dt.timedelta(days=1)
    await services.log(
        principal,
        "api_appointments",
        library_id=library_id,
        participants=[entry.participant_id for entry in entries] or [None],
        subject=f"agenda:{branch.id}:{first}..{last}",
    )
    return JSONResponse({"appointments": [_appointment(entry) for entry in entries]})


def _escalation(view: HandoverView) -> dict[str, Any]:
    return {
        "id": view.id,
        "status": view.status,
        "participant_id": view.participant_id,
        "library_id": view.library_id,
        "task_id": view.task_id,
        "task_title": view.task_title,
        "step_id": view.step_id,
        "step_number": view.step_number,
        "step_text": view.step_text,
        "reason": view.reason,
        "failures": view.failures,
        "language": view.language,
        "interpreter": view.interpreter,
        "words_original": strip_isolates(view.words_original) if view.words_original else None,
        "words_dutch": strip_isolates(view.words_dutch) if view.words_dutch else None,
        "translation": view.translation,
        "appointment_id": view.appointment.appointment_id if view.appointment else None,
        "claimed_by": view.claimed_by,
        "created_at": _time(view.created_at),
    }


async def escalations(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise HTTPException(400, f"status is one of {', '.join(STATUSES)}")
    views = await services.desk().handovers(library_id, include_done=status == "done")
    if status is not None:
        views = [view for view in views if view.status == status]
    await services.log(
        principal,
        "api_escalations",
        library_id=library_id,
        participants=[view.participant_id for view in views] or [None],
        subject=f"escalations:{status or 'open'}",
    )
    return JSONResponse({"escalations": [_escalation(view) for view in views]})


async def openapi(request: Request, services: Services) -> Response:
    return JSONResponse(document(str(request.base_url).rstrip("/")))


def routes() -> list[BaseRoute]:
    return [
        public("/api/openapi.json", openapi, name="openapi"),
        api("/api/v1/branches", branches, roles=ALL_ROLES, name="api_branches"),
        api("/api/v1/slots", slots, roles=ALL_ROLES, name="api_slots"),
        api("/api/v1/appointments", appointments, roles=(STAFF,), name="api_appointments"),
        api("/api/v1/escalations", escalations, roles=(STAFF,), name="api_escalations"),
    ]
