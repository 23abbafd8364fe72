"""Branch settings changed in the dashboard, laid over knowledge/libraries.yml.

The file stays the source and is never written. What staff change (opening hours, appointment
windows, appointment length, seats per slot, closures) and libraries an admin added live in the
database; `merge` builds one `LibraryDirectory` from both, validated by the same schema as the
file, and `install` puts it where everything reads libraries from (`content.libraries`). So the
participant's booking flow, the staff desk and the reminder texts all use the same calendar.
An override the schema rejects (e.g. windows outside changed opening hours) is left out, with a
warning, rather than stopping anyone from booking.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

from pydantic import ValidationError

from bot.appointments.schema import Branch, Library, LibraryDirectory
from bot.content.loader import Content
from bot.store.branch_settings import BranchSettingsStore, ClosureRecord, Overrides
from bot.store.db import Database

log = logging.getLogger(__name__)

FILE_KEY = "libraries_file"
"""Where the directory read from libraries.yml is kept once overrides are installed."""
SETTING_FIELDS = (
    "opening_hours",
    "appointment_windows",
    "appointment_minutes",
    "capacity",
    "holiday_rules",
)


def file_directory(content: Content) -> LibraryDirectory:
    """The libraries as knowledge/libraries.yml says, without anything from the dashboard."""
    directory: LibraryDirectory = content.extras.get(FILE_KEY) or content.extras["libraries"]
    return directory


def _closure(record: ClosureRecord) -> dict[str, Any]:
    closure: dict[str, Any] = {
        "start": record.starts_on,
        "end": record.ends_on,
        "reason": record.reason,
    }
    if record.closed_from:
        closure["closed_from"] = record.closed_from
    if record.closed_until:
        closure["closed_until"] = record.closed_until
    return closure


def merge_branch(branch: Branch, settings: dict[str, Any], closures: list[ClosureRecord]) -> Branch:
    """The branch with the dashboard's changes; raises ValidationError when they do not fit."""
    if not settings and not closures:
        return branch
    data = branch.model_dump(mode="python")
    for name in SETTING_FIELDS:
        if name in settings:
            data[name] = settings[name]
    data["closures"] = [*data["closures"], *(_closure(c) for c in closures)]
    return Branch.model_validate(data)


def added_libraries(base: LibraryDirectory, overrides: Overrides) -> list[Library]:
    """The valid libraries an admin added, leaving out any whose ids are taken."""
    known = {ident for library in base.libraries for ident in _ids(library)}
    added: list[Library] = []
    for data in overrides.libraries:
        try:
            library = Library.model_validate(data)
        except ValidationError as error:
            log.warning("library %s from the dashboard ignored: %s", data.get("id"), error)
            continue
        if known & set(_ids(library)):
            log.warning("library %s from the dashboard ignored: an id is taken", library.id)
            continue
        known |= set(_ids(library))
        added.append(library)
    return added


def unmerged_branch(base: LibraryDirectory, overrides: Overrides, branch_id: str) -> Branch | None:
    """The branch before the dashboard's settings: from the file, or as an admin added it."""
    for library in (*base.libraries, *added_libraries(base, overrides)):
        for branch in library.branches:
            if branch.id == branch_id:
                return branch
    return None


def merge(base: LibraryDirectory, overrides: Overrides) -> LibraryDirectory:
    closures: dict[str, list[ClosureRecord]] = {}
    for record in overrides.closures:
        closures.setdefault(record.branch_id, []).append(record)
    libraries: list[Library] = []
    for library in (*base.libraries, *added_libraries(base, overrides)):
        branches = []
        for branch in library.branches:
            try:
                branches.append(
                    merge_branch(
                        branch,
                        overrides.settings.get(branch.id, {}),
                        closures.get(branch.id, []),
                    )
                )
            except ValidationError as error:
                log.warning("dashboard settings of branch %s ignored: %s", branch.id, error)
                branches.append(branch)
        libraries.append(library.model_copy(update={"branches": tuple(branches)}))
    return LibraryDirectory(libraries=tuple(libraries), templates=base.templates)


def _ids(library: Library) -> list[str]:
    return [library.id, *(branch.id for branch in library.branches)]


def install(content: Content, overrides: Overrides) -> LibraryDirectory:
    """Make `content.libraries` the file's libraries with the dashboard's changes."""
    extras = content.extras
    if not isinstance(extras, MutableMapping):
        log.warning("content extras are read-only; dashboard branch settings not applied")
        return content.libraries
    base = file_directory(content)
    merged = merge(base, overrides)
    extras[FILE_KEY] = base
    extras["libraries"] = merged
    return merged


async def install_from(content: Content, db: Database) -> LibraryDirectory:
    """At start-up: the branch settings kept in the database, over libraries.yml."""
    return install(content, await BranchSettingsStore(db).load())
