"""Insight: per task, a funnel of how far participants got and where they got stuck, filtered by
library and language; as a chart (SVG), a table and a CSV file. Anonymous counts only."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.content import keys
from bot.web.access import ADMIN, ALL_ROLES
from bot.web.auth import Principal
from bot.web.downloads import spreadsheet
from bot.web.insight import chart
from bot.web.insight.funnel import CSV_HEADER, Funnel, build, csv_rows
from bot.web.site import Services, page


@dataclass(frozen=True)
class Filters:
    task_id: str
    library_id: str | None
    language: str | None

    def query(self) -> str:
        parts = [f"taak={self.task_id}"]
        if self.library_id:
            parts.append(f"bibliotheek={self.library_id}")
        if self.language:
            parts.append(f"taal={self.language}")
        return "&".join(parts)


def _filters(request: Request, principal: Principal, services: Services) -> Filters:
    content = services.app.content
    tasks = sorted(content.tasks.values(), key=lambda task: (task.order, task.id))
    task_id = request.query_params.get("taak") or tasks[0].id
    if task_id not in content.tasks:
        raise HTTPException(404, "Onbekende taak.")
    # Staff and trainers see their own library; an admin of all libraries chooses.
    if principal.role == ADMIN and principal.library_id is None:
        library_id = request.query_params.get("bibliotheek") or None
        if library_id is not None and library_id not in {
            lib.id for lib in content.libraries.libraries
        }:
            raise HTTPException(404, "Onbekende bibliotheek.")
    else:
        library_id = principal.library_id
    language = request.query_params.get("taal") or None
    if language is not None and language not in content.language_codes:
        raise HTTPException(404, "Onbekende taal.")
    return Filters(task_id, library_id, language)


def _title(services: Services, task_id: str) -> str:
    return services.app.engine.texts(services.app.content.languages.source)(
        keys.task_title(task_id)
    )


async def _funnel(services: Services, filters: Filters) -> Funnel:
    counts = await services.insight.funnel_counts(
        filters.task_id, library_id=filters.library_id, language=filters.language
    )
    task = services.app.content.tasks[filters.task_id]
    return build(task, _title(services, task.id), counts)


def _subtitle(services: Services, filters: Filters) -> str:
    where = "alle bibliotheken"
    if filters.library_id:
        try:
            where = services.app.content.libraries.library(filters.library_id).name
        except KeyError:
            where = filters.library_id
    return f"{where} · {filters.language or 'alle talen'}"


async def overview(request: Request, principal: Principal, services: Services) -> Response:
    filters = _filters(request, principal, services)
    funnel = await _funnel(services, filters)
    content = services.app.content
    tasks = sorted(content.tasks.values(), key=lambda task: (task.order, task.id))
    return services.templates.page(
        request,
        "insight/funnel.html",
        principal=principal,
        csrf=principal.csrf,
        filters=filters,
        funnel=funnel,
        tasks=[(task.id, _title(services, task.id)) for task in tasks],
        libraries=content.libraries.libraries,
        choose_library=principal.role == ADMIN and principal.library_id is None,
        languages=content.languages.languages,
        subtitle=_subtitle(services, filters),
    )


async def funnel_svg(request: Request, principal: Principal, services: Services) -> Response:
    filters = _filters(request, principal, services)
    funnel = await _funnel(services, filters)
    return Response(
        chart.funnel_svg(funnel, _subtitle(services, filters)), media_type="image/svg+xml"
    )


async def funnel_csv(request: Request, principal: Principal, services: Services) -> Response:
    filters = _filters(request, principal, services)
    funnel = await _funnel(services, filters)
    library, language = filters.library_id or "alle", filters.language or "alle"
    rows = [(*row, library, language) for row in csv_rows(funnel)]
    name = f"funnel-{filters.task_id}-{library}-{language}.csv"
    return spreadsheet((*CSV_HEADER, "bibliotheek", "taal"), rows, name)


def routes() -> list[BaseRoute]:
    return [
        page("/inzicht", overview, roles=ALL_ROLES, name="insight"),
        page("/inzicht/grafiek.svg", funnel_svg, roles=ALL_ROLES, name="insight_svg"),
        page("/inzicht/funnel.csv", funnel_csv, roles=ALL_ROLES, name="insight_csv"),
    ]
