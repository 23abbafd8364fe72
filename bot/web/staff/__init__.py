"""Library staff: the escalation inbox, the agenda, messages to participants, branch settings."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    from bot.web.staff import agenda, branches, inbox, messages

    return [*inbox.routes(), *agenda.routes(), *messages.routes(), *branches.routes()]
