"""Trainers: their classes, invite links with QR codes and a printable page, homework, progress."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    from bot.web.trainer import classes

    return classes.routes()
