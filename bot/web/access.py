"""Roles and library scoping, used by every dashboard page and API route.

- staff: their own library organisation's participants, escalations (handovers), agenda and
  branches; nothing of another library.
- trainer: their own classes, and only counts of progress (a person only if that person chose
  to share with their trainer); never message contents.
- admin: libraries, branches, opening hours and users; of every library, or of their own when
  the account has one. Admins do not see participants' data: that needs a staff account.

Something of another library answers 404, as if it did not exist, and is written to the audit
log as a denied attempt.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

from bot.appointments.schema import Branch, Library
from bot.content.loader import Content
from bot.web.auth import Principal

ADMIN, STAFF, TRAINER = "admin", "staff", "trainer"
ALL_ROLES = (ADMIN, STAFF, TRAINER)


class Denied(HTTPException):
    """Not yours: answered 404 and audited (see site.py's handler)."""

    def __init__(self, what: str, library_id: str | None = None) -> None:
        super().__init__(404, what)
        self.what = what
        self.library_id = library_id


def own_library(principal: Principal) -> str:
    """The library organisation a staff member or trainer works for."""
    if principal.library_id is None:
        raise HTTPException(403, "Dit account hoort bij geen bibliotheek.")
    return principal.library_id


def library(content: Content, library_id: str) -> Library | None:
    try:
        return content.libraries.library(library_id)
    except KeyError:
        return None


def library_of_branch(content: Content, branch_id: str) -> Library | None:
    try:
        return content.libraries.library_of(branch_id)
    except KeyError:
        return None


def staff_branch(content: Content, principal: Principal, branch_id: str) -> Branch:
    """A branch of the staff member's own library (or, for an admin, one they manage)."""
    owner = library_of_branch(content, branch_id)
    if owner is None:
        raise HTTPException(404, "Onbekende vestiging.")
    if not manages_library(principal, owner.id):
        raise Denied(f"branch:{branch_id}", owner.id)
    return content.libraries.branch(branch_id)


def manages_library(principal: Principal, library_id: str) -> bool:
    """Staff for their own library's branches; an admin for theirs, or all without one."""
    if principal.role == ADMIN:
        return principal.library_id is None or principal.library_id == library_id
    if principal.role == STAFF:
        return principal.library_id == library_id
    return False


def managed_libraries(content: Content, principal: Principal) -> list[Library]:
    return [lib for lib in content.libraries.libraries if manages_library(principal, lib.id)]


def sees_participants_of(principal: Principal, library_id: str | None) -> bool:
    """Only staff, only of their own library."""
    return principal.role == STAFF and library_id is not None and principal.library_id == library_id


def require_participant_library(principal: Principal, library_id: str | None, what: str) -> None:
    if not sees_participants_of(principal, library_id):
        raise Denied(what, library_id)
