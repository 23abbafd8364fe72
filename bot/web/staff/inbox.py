"""The escalation inbox: a library's handovers (new, claimed, done), one handover with the
participant's words in Dutch beside the original, claiming, closing, and booking a follow-up."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.appointments.staff import HandoverView, NotFound, SlotUnavailable
from bot.language.bidi import strip_isolates
from bot.web.access import STAFF, own_library, require_participant_library, staff_branch
from bot.web.auth import Principal
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms

STATUSES = ("new", "claimed", "done")
RTL = frozenset({"ar", "fa"})
SLOTS_SHOWN = 12


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


async def _handover(services: Services, principal: Principal, handover_id: int) -> HandoverView:
    try:
        view = await services.desk().handover(handover_id)
    except NotFound:
        raise HTTPException(404, "Deze melding bestaat niet.") from None
    require_participant_library(principal, view.library_id, f"handover:{handover_id}")
    return view


async def handover(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    view = await _handover(services, principal, int(request.path_params["handover_id"]))
    content = services.app.content
    branches = list(content.libraries.library(library_id).branches)
    chosen = request.query_params.get("vestiging") or (
        view.appointment.branch_id if view.appointment else branches[0].id
    )
    branch = staff_branch(content, principal, chosen)
    slots = await services.desk().free_slots(branch.id, SLOTS_SHOWN)
    await services.log(
        principal,
        "handover_viewed",
        library_id=library_id,
        participants=[view.participant_id],
        subject=f"handover:{view.id}",
    )
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
        slots=slots,
        slot_error=request.query_params.get("fout") == "tijd",
    )


async def claim(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(services, principal, int(request.path_params["handover_id"]))
    claimed = await services.desk().claim(view.id, principal.name or principal.email)
    await services.log(
        principal,
        "handover_claimed" if claimed else "handover_claim_lost",
        library_id=view.library_id,
        participants=[view.participant_id],
        subject=f"handover:{view.id}",
    )
    return done(f"/meldingen/{view.id}", "claimed" if claimed else "claimed_before")


async def close(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(services, principal, int(request.path_params["handover_id"]))
    await services.desk().close(view.id)
    await services.log(
        principal,
        "handover_closed",
        library_id=view.library_id,
        participants=[view.participant_id],
        subject=f"handover:{view.id}",
    )
    return done(f"/meldingen/{view.id}", "closed")


async def book(request: Request, principal: Principal, services: Services) -> Response:
    view = await _handover(services, principal, int(request.path_params["handover_id"]))
    if view.participant_id is None:
        raise HTTPException(400, "Deze deelnemer heeft zijn gegevens gewist.")
    form = form_of(request)
    branch = staff_branch(services.app.content, principal, forms.text(form, "branch"))
    start = forms.instant(forms.text(form, "slot"))
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
        return done(f"/meldingen/{view.id}?vestiging={branch.id}&fout=tijd", "")
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
    return [
        page("/meldingen", inbox, roles=(STAFF,), name="inbox"),
        page("/meldingen/{handover_id:int}", handover, roles=(STAFF,), name="handover"),
        page(
            "/meldingen/{handover_id:int}/oppakken",
            claim,
            roles=(STAFF,),
            methods=("POST",),
            name="handover_claim",
        ),
        page(
            "/meldingen/{handover_id:int}/afsluiten",
            close,
            roles=(STAFF,),
            methods=("POST",),
            name="handover_close",
        ),
        page(
            "/meldingen/{handover_id:int}/afspraak",
            book,
            roles=(STAFF,),
            methods=("POST",),
            name="handover_book",
        ),
    ]
