"""Picking a free time for a participant: the appointment page's "move" form and the handover
page's follow-up form list the same times, read the same choice and answer a taken time alike."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.appointments.calendar import SlotTime
from bot.appointments.schema import Branch
from bot.web.access import staff_branch
from bot.web.auth import Principal
from bot.web.site import Services, done
from bot.web.staff import forms

SLOTS_SHOWN = 12
TAKEN = "tijd"
"""`?fout=tijd`: the page was opened again because the time picked had just been taken."""


def listed_branch(
    request: Request, principal: Principal, services: Services, default: str
) -> Branch:
    """The branch whose times the page lists: the one chosen above the list, else `default`."""
    chosen = request.query_params.get("vestiging") or default
    return staff_branch(services.app.content, principal, chosen)


async def free_times(services: Services, branch: Branch) -> list[SlotTime]:
    return await services.desk().free_slots(branch.id, SLOTS_SHOWN)


def was_taken(request: Request) -> bool:
    return request.query_params.get("fout") == TAKEN


def picked(form: FormData, principal: Principal, services: Services) -> tuple[Branch, dt.datetime]:
    """The branch and start the staff member picked from the list."""
    branch = staff_branch(services.app.content, principal, forms.text(form, "branch"))
    return branch, forms.instant(forms.text(form, "slot"))


def taken(page: str, branch: Branch) -> Response:
    """Someone else booked that time a moment earlier: back to the page, listing the same
    branch's times, with a notice instead of a flash."""
    return done(f"{page}?vestiging={branch.id}&fout={TAKEN}", "")
