"""The escalation inbox: a library's handovers (new, claimed, done), one handover with the
participant's words in Dutch beside the original, claiming, closing, and booking a follow-up."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.appointments.staff import HandoverView, NotFound, SlotUnavailable
from bot.language.bidi import strip_isolates
from bot.web.access import STAFF, own_library, require_participant_library
from bot.web.auth import Principal
from bot.web.site import Services, done, form_of, page
from bot.web.staff import slots

STATUSES = ("new", "claimed", "done")
RTL = frozenset({"ar", "fa"})


async def inbox(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    status = request.query_params.get("status", "new")
    if status not in STATUSES:
        status = "new"
    views = await services.desk().handovers(library_id, include_done=True)
    counts = {name: sum(1 for v in views if v.status == name) for name in STATUSES}
    shown = [view for view in views if view.status == status]
    await services.log(
        principal,
        "inbox_viewed",
        library_id=library_id,
        participants=[view.participant_id for view in shown] or [None],
        subject=f"inbox:{status}",
    )
    return services.templates.page(
        request,
        "staff/inbox.html",
        principal=principal,
        csrf=principal.csrf,
        status=status,
        counts=counts,
        handovers=shown,
    )


async def _handover(request: Request, principal: Principal, services: Services) -> HandoverView:
    """The handover the path names; 404 when it does not exist or is another library's."""
    handover_id = int(request.path_params["handover_id"])
    try:
        view = await services.desk().handover(handover_id)
    except NotFound:
        raise HTTPException(404, "Deze melding bestaat niet.") from None
    require_participant_library(principal, view.library_id, f"handover:{handover_id}")
    return view


async def _log(services: Services, principal: Principal, action: str, view: HandoverView) -> None:
    await services.log(
        principal,
        action,
        library_id=view.library_id,
        participants=[view.participant_id],
        subject=f"handover:{view.id}",
    )


async def handover(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    view = await _handover(request, principal, services)
    branches = list(services.app.content.libraries.library(library_id).branches)
    default = view.appointment.branch_id if view.appointment else branches[0].id
    branch = slots.listed_branch(request, principal, services, default)
    times = await slots.free_times(services, branch)
    await _log(services, principal, "handover_viewed", view)
    return services.templates.page(
        request,
        "staff/handover.html",
        principal=principal,
        csrf=principal.csrf,
        handover=view,
        words_original=strip_isolates(view.words_original or ""),
        words_dutch=strip_isolates(view.words_dutch or ""),
        rtl=view.language in RTL,
        branches=branches,
        branch=branch,
        slots=times,
        slot_error=slots.was_taken(request),
    )


async def claim(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(request, principal, services)
    claimed = await services.desk().claim(view.id, principal.name or principal.email)
    await _log(services, principal, "handover_claimed" if claimed else "handover_claim_lost", view)
    return done(f"/meldingen/{view.id}", "claimed" if claimed else "claimed_before")


async def close(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(request, principal, services)
    await services.desk().close(view.id)
    await _log(services, principal, "handover_closed", view)
    return done(f"/meldingen/{view.id}", "closed")


async def book(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(request, principal, services)
    if view.participant_id is None:
        raise HTTPException(400, "Deze deelnemer heeft zijn gegevens gewist.")
    form = form_of(request)
    branch, start = slots.picked(form, principal, services)
    desk = services.desk()
    if view.status == "new":
        await desk.claim(view.id, principal.name or principal.email)
    try:
        booked = await desk.book_follow_up(
            view.participant_id,
            branch.id,
            start,
            handover_id=view.id,
            interpreter=form.get("interpreter") == "yes",
        )
    except SlotUnavailable:
        return slots.taken(f"/meldingen/{view.id}", branch)
    await services.log(
        principal,
        "appointment_booked",
        library_id=view.library_id,
        participants=[view.participant_id],
        subject=f"appointment:{booked.entry.appointment_id}",
    )
    return done(
        f"/afspraken/{booked.entry.appointment_id}",
        "booked" if booked.notified else "booked_silent",
    )


def routes() -> list[BaseRoute]:
    one = "/meldingen/{handover_id:int}"
    return [
        page("/meldingen", inbox, roles=(STAFF,), name="inbox"),
        page(one, handover, roles=(STAFF,), name="handover"),
        page(f"{one}/oppakken", claim, roles=(STAFF,), methods=("POST",), name="handover_claim"),
        page(f"{one}/afsluiten", close, roles=(STAFF,), methods=("POST",), name="handover_close"),
        page(f"{one}/afspraak", book, roles=(STAFF,), methods=("POST",), name="handover_book"),
    ]
