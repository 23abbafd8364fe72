"""Reading dashboard form and query values: dates, slot times, integers. Wrong input is a 400."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from bot.appointments.calendar import AMSTERDAM


def text(form: FormData, name: str, *, limit: int = 200) -> str:
    return str(form.get(name) or "").strip()[:limit]


def date(value: str | None, *, default: dt.date | None = None) -> dt.date:
    if not value:
        if default is None:
            raise HTTPException(400, "Geef een datum.")
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{value!r} is geen datum (jjjj-mm-dd).") from None


def instant(value: str | None) -> dt.datetime:
    """A slot's start as the form sends it: an ISO time with its offset."""
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except ValueError:
        raise HTTPException(400, "Kies een tijd.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(dt.UTC)


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(AMSTERDAM).date()
