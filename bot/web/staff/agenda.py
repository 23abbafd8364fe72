"""A branch's agenda by day or week, one appointment (move, cancel, attended / no-show, notes),
and the day's agenda as a calendar file (.ics) and a spreadsheet (.csv)."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.appointments import render
from bot.appointments.calendar import AMSTERDAM
from bot.appointments.schema import Branch
from bot.appointments.staff import AgendaEntry, NotFound, SlotUnavailable
from bot.content import keys
from bot.store.appointments import AppointmentRecord
from bot.web.access import STAFF, own_library, require_participant_library, staff_branch
from bot.web.auth import Principal
from bot.web.downloads import CALENDAR, download, spreadsheet
from bot.web.rendering import STATUS
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms, slots

VIEWS = ("dag", "week")


def _default_branch(services: Services, principal: Principal) -> str:
    library = services.app.content.libraries.library(own_library(principal))
    return library.branches[0].id


async def agenda(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    content = services.app.content
    branch = staff_branch(
        content,
        principal,
        request.query_params.get("vestiging") or _default_branch(services, principal),
    )
    day = forms.date(request.query_params.get("dag"), default=forms.today(services.clock.now()))
    view = request.query_params.get("weergave", "dag")
    view = view if view in VIEWS else "dag"
    desk = services.desk()
    if view == "week":
        monday = day - dt.timedelta(days=day.weekday())
        days = [monday + dt.timedelta(days=offset) for offset in range(7)]
        step = dt.timedelta(days=7)
    else:
        days = [day]
        step = dt.timedelta(days=1)
    agenda_days = [(each, await desk.agenda(branch.id, each)) for each in days]
    entries = [entry for _, found in agenda_days for entry in found]
    notes = await services.notes.for_appointments(entry.appointment_id for entry in entries)
    await services.log(
        principal,
        "agenda_viewed",
        library_id=library_id,
        participants=[entry.participant_id for entry in entries] or [None],
        subject=f"agenda:{branch.id}:{days[0].isoformat()}:{view}",
    )
    return services.templates.page(
        request,
        "staff/agenda.html",
        principal=principal,
        csrf=principal.csrf,
        branches=content.libraries.library(library_id).branches,
        branch=branch,
        day=day,
        view=view,
        agenda_days=agenda_days,
        notes=notes,
        previous=(day - step).isoformat(),
        following=(day + step).isoformat(),
        today=forms.today(services.clock.now()).isoformat(),
    )


# -- the day's agenda as a file ---------------------------------------------------------------
def _branch_day(
    request: Request, principal: Principal, services: Services
) -> tuple[Branch, dt.date]:
    """The branch and day the path names: /agenda/<branch>/<day>.ics or .csv."""
    branch = staff_branch(services.app.content, principal, str(request.path_params["branch_id"]))
    return branch, forms.date(str(request.path_params["day"]))


async def _log_download(
    services: Services,
    principal: Principal,
    action: str,
    branch: Branch,
    day: dt.date,
    entries: list[AgendaEntry],
) -> None:
    await services.log(
        principal,
        action,
        library_id=own_library(principal),
        participants=[entry.participant_id for entry in entries],
        subject=f"agenda:{branch.id}:{day.isoformat()}",
    )


async def agenda_ics(request: Request, principal: Principal, services: Services) -> Response:
    branch, day = _branch_day(request, principal, services)
    desk = services.desk()
    entries = await desk.agenda(branch.id, day)
    body = await desk.agenda_ics(branch.id, day)
    if body is None:
        raise HTTPException(404, "Er zijn geen afspraken op deze dag.")
    await _log_download(services, principal, "agenda_downloaded_ics", branch, day, entries)
    return download(body, CALENDAR, f"agenda-{branch.id}-{day}.ics")


CSV_COLUMNS = (
    "begin",
    "einde",
    "vestiging",
    "status",
    "onderwerp",
    "taal",
    "tolk",
    "deelnemer",
    "geboekt door",
    "notities",
)


async def agenda_csv(request: Request, principal: Principal, services: Services) -> Response:
    branch, day = _branch_day(request, principal, services)
    entries = await services.desk().agenda(branch.id, day)
    notes = await services.notes.for_appointments(entry.appointment_id for entry in entries)
    rows = [
        (
            entry.start.strftime("%Y-%m-%d %H:%M"),
            entry.end.strftime("%H:%M"),
            entry.branch_name,
            STATUS.get(entry.status, entry.status),
            entry.task_title or "",
            entry.language or "",
            "ja" if entry.interpreter else "nee",
            f"#{entry.participant_id}" if entry.participant_id else "gewist",
            "medewerker" if entry.booked_by == "staff" else "deelnemer",
            " | ".join(note.text for note in notes.get(entry.appointment_id, [])),
        )
        for entry in entries
    ]
    await _log_download(services, principal, "agenda_downloaded_csv", branch, day, entries)
    return spreadsheet(CSV_COLUMNS, rows, f"agenda-{branch.id}-{day}.csv")


# -- one appointment -------------------------------------------------------------------------
async def _appointment(
    request: Request, principal: Principal, services: Services
) -> AppointmentRecord:
    """The appointment the path names; 404 when it does not exist or is another library's."""
    appointment_id = int(request.path_params["appointment_id"])
    record = await services.desk().appointments.get(appointment_id)
    if record is None:
        raise HTTPException(404, "Deze afspraak bestaat niet.")
    require_participant_library(principal, record.library_id, f"appointment:{appointment_id}")
    return record


async def _log(
    services: Services,
    principal: Principal,
    action: str,
    record: AppointmentRecord,
    *,
    subject: str | None = None,
) -> None:
    await services.log(
        principal,
        action,
        library_id=record.library_id,
        participants=[record.participant_id],
        subject=subject or f"appointment:{record.id}",
    )


async def _entry(services: Services, record: AppointmentRecord) -> AgendaEntry:
    content = services.app.content
    languages = await services.desk().appointments.languages([record.participant_id])
    branch = render.branch_of(content, record.branch_id)
    task = content.tasks.get(record.task_id or "")
    return AgendaEntry(
        appointment_id=record.id,
        participant_id=record.participant_id,
        library_id=record.library_id,
        branch_id=record.branch_id,
        branch_name=branch.name if branch else record.branch_id,
        start=record.starts_at.astimezone(AMSTERDAM),
        end=record.ends_at.astimezone(AMSTERDAM),
        status=record.status,
        task_id=record.task_id,
        task_title=services.app.engine.texts("nl")(keys.task_title(task.id)) if task else None,
        language=languages.get(record.participant_id or 0),
        interpreter=record.interpreter,
        booked_by=record.booked_by,
        uid=record.uid,
        sequence=record.sequence,
    )


async def appointment(request: Request, principal: Principal, services: Services) -> Response:
    record = await _appointment(request, principal, services)
    desk = services.desk()
    entry = await _entry(services, record)
    content = services.app.content
    branch = slots.listed_branch(request, principal, services, record.branch_id)
    # Only a booked appointment can be moved; the others list no times.
    times = await slots.free_times(services, branch) if record.status == "booked" else []
    notes = (await services.notes.for_appointments([record.id])).get(record.id, [])
    handovers = [
        h
        for h in await desk.handover_store.for_participant(record.participant_id or 0)
        if h.appointment_id == record.id
    ]
    await _log(services, principal, "appointment_viewed", record)
    return services.templates.page(
        request,
        "staff/appointment.html",
        principal=principal,
        csrf=principal.csrf,
        entry=entry,
        record=record,
        branches=content.libraries.library(record.library_id).branches,
        branch=branch,
        slots=times,
        notes=notes,
        handovers=handovers,
        slot_error=slots.was_taken(request),
        local_day=entry.start.astimezone(AMSTERDAM).date().isoformat(),
    )


async def reschedule(request: Request, principal: Principal, services: Services) -> Response:
    record = await _appointment(request, principal, services)
    branch, start = slots.picked(form_of(request), principal, services)
    try:
        moved = await services.desk().reschedule(record.id, start, branch_id=branch.id)
    except SlotUnavailable:
        return slots.taken(f"/afspraken/{record.id}", branch)
    except NotFound:
        return done(f"/afspraken/{record.id}", "not_booked")
    await _log(
        services,
        principal,
        "appointment_moved",
        record,
        subject=f"appointment:{record.id}->{moved.entry.appointment_id}",
    )
    return done(
        f"/afspraken/{moved.entry.appointment_id}", "moved" if moved.notified else "moved_silent"
    )


async def cancel(request: Request, principal: Principal, services: Services) -> Response:
    record = await _appointment(request, principal, services)
    cancelled = await services.desk().cancel(record.id)
    await _log(services, principal, "appointment_cancelled", record)
    return done(f"/afspraken/{record.id}", "cancelled" if cancelled else "not_booked")


async def _mark(
    request: Request, principal: Principal, services: Services, status: str
) -> Response:
    record = await _appointment(request, principal, services)
    desk = services.desk()
    try:
        if status == "attended":
            await desk.mark_attended(record.id)
        else:
            await desk.mark_no_show(record.id)
    except NotFound:
        return done(f"/afspraken/{record.id}", "not_booked")
    await _log(services, principal, f"appointment_{status}", record)
    back = form_of(request).get("back")
    target = (
        str(back)
        if isinstance(back, str) and back.startswith("/agenda")
        else f"/afspraken/{record.id}"
    )
    return done(target, status)


async def attended(request: Request, principal: Principal, services: Services) -> Response:
    return await _mark(request, principal, services, "attended")


async def no_show(request: Request, principal: Principal, services: Services) -> Response:
    return await _mark(request, principal, services, "no_show")


async def add_note(request: Request, principal: Principal, services: Services) -> Response:
    record = await _appointment(request, principal, services)
    text = forms.text(form_of(request), "note", limit=2000)
    if not text:
        raise HTTPException(400, "Schrijf eerst een notitie.")
    await services.notes.add(
        appointment_id=record.id,
        participant_id=record.participant_id,
        library_id=record.library_id,
        author_id=principal.user_id,
        author=principal.name or principal.email,
        text=text,
        now=services.clock.now(),
    )
    await _log(services, principal, "note_added", record)
    return done(f"/afspraken/{record.id}", "note")


async def appointment_ics(request: Request, principal: Principal, services: Services) -> Response:
    record = await _appointment(request, principal, services)
    body = await services.desk().appointment_ics(record.id)
    await _log(services, principal, "appointment_downloaded_ics", record)
    return download(body, CALENDAR, f"afspraak-{record.id}.ics")


def routes() -> list[BaseRoute]:
    one = "/afspraken/{appointment_id:int}"
    return [
        page("/agenda", agenda, roles=(STAFF,), name="agenda"),
        page("/agenda/{branch_id}/{day}.ics", agenda_ics, roles=(STAFF,), name="agenda_ics"),
        page("/agenda/{branch_id}/{day}.csv", agenda_csv, roles=(STAFF,), name="agenda_csv"),
        page(one, appointment, roles=(STAFF,), name="appointment"),
        page(f"{one}.ics", appointment_ics, roles=(STAFF,), name="appointment_ics"),
        page(f"{one}/verzetten", reschedule, roles=(STAFF,), methods=("POST",), name="move"),
        page(f"{one}/annuleren", cancel, roles=(STAFF,), methods=("POST",), name="cancel"),
        page(f"{one}/aanwezig", attended, roles=(STAFF,), methods=("POST",), name="attended"),
        page(f"{one}/niet-gekomen", no_show, roles=(STAFF,), methods=("POST",), name="no_show"),
        page(f"{one}/notitie", add_note, roles=(STAFF,), methods=("POST",), name="note"),
    ]
