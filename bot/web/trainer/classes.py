"""A trainer's classes: create one, its invite link and QR code (SVG, PNG), the printable A4
invitation in all eight languages, meeting dates, homework, and the class's progress."""

from __future__ import annotations

import datetime as dt

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.content import keys
from bot.language.bidi import strip_isolates
from bot.store.classes import ClassRecord
from bot.web.access import TRAINER, Denied, own_library
from bot.web.auth import Principal
from bot.web.downloads import download
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms
from bot.web.trainer import progress, qr

MAX_MEETINGS = 20
RTL = frozenset({"ar", "fa"})


def _meetings(values: list[str]) -> list[dt.date]:
    days = []
    for value in values:
        for part in value.replace(",", " ").split():
            days.append(forms.date(part))
    if len(days) > MAX_MEETINGS:
        raise HTTPException(400, f"Hoogstens {MAX_MEETINGS} lesdata.")
    return sorted(set(days))


async def _own_class(services: Services, principal: Principal, class_id: int) -> ClassRecord:
    found = await services.classes.get(class_id)
    if found is None:
        raise HTTPException(404, "Deze klas bestaat niet.")
    if found.trainer_id != principal.user_id or found.library_id != principal.library_id:
        raise Denied(f"class:{class_id}", found.library_id)
    return found


def _titles(services: Services) -> dict[str, str]:
    dutch = services.app.engine.texts(services.app.content.languages.source)
    return {task_id: dutch(keys.task_title(task_id)) for task_id in services.app.content.tasks}


def _link(services: Services, found: ClassRecord) -> str | None:
    username = services.bot_username()
    return qr.invite_link(username, found.code) if username else None


async def class_list(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    library = services.app.content.libraries.library(library_id)
    found = await services.classes.for_trainer(principal.user_id)
    return services.templates.page(
        request,
        "trainer/classes.html",
        principal=principal,
        csrf=principal.csrf,
        classes=found,
        library=library,
        today=forms.today(services.clock.now()),
    )


async def create(request: Request, principal: Principal, services: Services) -> Response:
    library_id = own_library(principal)
    form = form_of(request)
    name = forms.text(form, "name", limit=120)
    if not name:
        raise HTTPException(400, "Geef de klas een naam.")
    meetings = _meetings([str(value) for value in form.getlist("meeting") if value])
    created = await services.classes.create(
        library_id=library_id,
        trainer_id=principal.user_id,
        name=name,
        meetings=meetings,
        now=services.clock.now(),
    )
    return done(f"/klassen/{created.id}", "class_created")


async def detail(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    titles = _titles(services)
    homework = await services.classes.homework(found.id)
    rows = await services.classes.progress(found.id)
    tasks, shared = progress.summarise(
        services.app.content, rows, titles, [h.task_id for h in homework]
    )
    if shared:
        # Only people who chose to share are shown one by one: that is a look at their data.
        await services.log(
            principal,
            "class_progress_viewed",
            library_id=found.library_id,
            participants=[row.participant_id for row in shared],
            subject=f"class:{found.id}",
        )
    return services.templates.page(
        request,
        "trainer/class.html",
        principal=principal,
        csrf=principal.csrf,
        found=found,
        link=_link(services, found),
        homework=homework,
        nudges=await services.classes.homework_nudges(found.id),
        titles=titles,
        task_ids=sorted(titles, key=lambda task_id: titles[task_id]),
        tasks=tasks,
        shared=shared,
        shared_task_ids=sorted({task for row in shared for task in row.tasks}),
        today=forms.today(services.clock.now()),
    )


async def set_meetings(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    form = form_of(request)
    meetings = _meetings([str(value) for value in form.getlist("meeting") if value])
    await services.classes.set_meetings(found.id, meetings)
    return done(f"/klassen/{found.id}", "meetings")


async def add_homework(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    form = form_of(request)
    task_id = forms.text(form, "task")
    if task_id not in services.app.content.tasks:
        raise HTTPException(400, "Kies een taak.")
    due = forms.date(forms.text(form, "due_on"))
    if due < forms.today(services.clock.now()):
        raise HTTPException(400, "Kies een datum vanaf vandaag.")
    await services.classes.add_homework(
        found.id, task_id, due, principal.user_id, services.clock.now()
    )
    return done(f"/klassen/{found.id}", "homework")


async def remove_homework(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    homework_id = int(request.path_params["homework_id"])
    if not await services.classes.remove_homework(found.id, homework_id, services.clock.now()):
        raise HTTPException(404, "Dit huiswerk bestaat niet.")
    return done(f"/klassen/{found.id}", "homework_removed")


async def archive(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    await services.classes.archive(found.id, services.clock.now())
    return done(f"/klassen/{found.id}", "archived")


def _require_link(services: Services, found: ClassRecord) -> str:
    link = _link(services, found)
    if link is None:
        raise HTTPException(
            409, "De naam van de Telegram-bot is niet bekend (zet TELEGRAM_BOT_USERNAME)."
        )
    if found.archived_at is not None:
        raise HTTPException(410, "Deze klas is gearchiveerd; de link werkt niet meer.")
    return link


async def qr_svg(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    body = qr.svg(_require_link(services, found), title=f"Wegwijs: {found.name}")
    inline = not request.query_params.get("download")
    return download(body, "image/svg+xml", f"wegwijs-klas-{found.code}.svg", inline=inline)


async def qr_png(request: Request, principal: Principal, services: Services) -> Response:
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    body = qr.png(_require_link(services, found))
    return download(body, "image/png", f"wegwijs-klas-{found.code}.png")


async def invitation(request: Request, principal: Principal, services: Services) -> Response:
    """The A4 page: the QR code and one line of instruction in each language."""
    found = await _own_class(services, principal, int(request.path_params["class_id"]))
    link = _require_link(services, found)
    content = services.app.content
    lines = []
    dutch = services.app.catalogue.source["dashboard.invite_instruction"]
    for language in content.languages.languages:
        text = services.app.engine.texts(language.code)("dashboard.invite_instruction")
        # Not translated yet: the Dutch stands in, and reads left to right.
        translated = strip_isolates(text) != dutch or language.code == content.languages.source
        lines.append(
            {
                "code": language.code if translated else content.languages.source,
                "name": language.name,
                "text": text,
                "rtl": language.code in RTL and translated,
            }
        )
    library = content.libraries.library(found.library_id)
    return services.templates.page(
        request,
        "trainer/invitation.html",
        principal=principal,
        csrf=principal.csrf,
        found=found,
        link=link,
        lines=lines,
        library=library,
    )


def routes() -> list[BaseRoute]:
    one = "/klassen/{class_id:int}"
    roles = (TRAINER,)
    return [
        page("/klassen", class_list, roles=roles, name="classes"),
        page("/klassen", create, roles=roles, methods=("POST",), name="class_create"),
        page(one, detail, roles=roles, name="class"),
        page(f"{one}/lesdata", set_meetings, roles=roles, methods=("POST",), name="meetings"),
        page(f"{one}/huiswerk", add_homework, roles=roles, methods=("POST",), name="homework"),
        page(
            one + "/huiswerk/{homework_id:int}/weg",
            remove_homework,
            roles=roles,
            methods=("POST",),
            name="homework_remove",
        ),
        page(f"{one}/archiveren", archive, roles=roles, methods=("POST",), name="archive"),
        page(f"{one}/qr.svg", qr_svg, roles=roles, name="qr_svg"),
        page(f"{one}/qr.png", qr_png, roles=roles, name="qr_png"),
        page(f"{one}/uitnodiging", invitation, roles=roles, name="invitation"),
    ]
