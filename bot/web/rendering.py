"""Jinja2 templates of the dashboard (Dutch, server-rendered, no scripts) and their filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.appointments.calendar import AMSTERDAM
from bot.web.wording import FLASH

TEMPLATES = Path(__file__).with_name("templates")
STATUS = {
    "booked": "geboekt",
    "cancelled": "geannuleerd",
    "attended": "geweest",
    "no_show": "niet gekomen",
    "new": "nieuw",
    "claimed": "opgepakt",
    "done": "afgehandeld",
}
REASONS = {
    "stuck": "liep vast",
    "failed": "lukte niet",
    "misunderstood": "werd niet begrepen",
    "away": "was lang weg",
    "asked": "vroeg om hulp",
    "booked": "maakte een afspraak",
}
ROLES = {"admin": "beheerder", "staff": "medewerker", "trainer": "trainer"}


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(AMSTERDAM)


def day(value: dt.date | dt.datetime) -> str:
    """ "dinsdag 24 november 2026"."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return format_date(value, "EEEE d MMMM y", locale="nl")


def short_day(value: dt.date | dt.datetime) -> str:
    """ "di 24 nov"."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return format_date(value, "EEE d MMM", locale="nl")


def clock(value: dt.datetime) -> str:
    return _local(value).strftime("%H:%M")


def moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{short_day(value)} {clock(value)}"


class Templates:
    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=jinja2.select_autoescape(["html", "svg", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            day=day,
            short_day=short_day,
            clock=clock,
            moment=moment,
            status=lambda value: STATUS.get(value, value),
            reason=lambda value: REASONS.get(value, value),
            role=lambda value: ROLES.get(value, value),
        )

    def text(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def page(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        flash_key = request.query_params.get("ok", "")
        context.setdefault("principal", None)
        context.setdefault("csrf", "")
        context.setdefault("errors", [])
        context.setdefault("flash", FLASH.get(flash_key, ""))
        context.setdefault("path", request.url.path)
        return HTMLResponse(self.text(name, **context), status_code=status_code)
