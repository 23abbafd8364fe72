"""Admins: libraries (those in libraries.yml and ones added here), users and their API tokens,
and the audit log. An admin with a library manages only that library and its people."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    from bot.web.admin import libraries, users

    return [*libraries.routes(), *users.routes()]
