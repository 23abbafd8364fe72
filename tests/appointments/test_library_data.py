"""knowledge/libraries.yml covers Overijssel and never passes a guess off as a fact."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.appointments.schema import Confirmable, LibraryDirectory, load_libraries

LIBRARIES = Path(__file__).resolve().parents[2] / "knowledge" / "libraries.yml"

# The 25 gemeenten of Overijssel: every one must be served by some library organisation.
OVERIJSSEL = {
    "Almelo", "Borne", "Dalfsen", "Deventer", "Dinkelland", "Enschede", "Haaksbergen",
    "Hardenberg", "Hellendoorn", "Hengelo", "Hof van Twente", "Kampen", "Losser", "Oldenzaal",
    "Olst-Wijhe", "Ommen", "Raalte", "Rijssen-Holten", "Staphorst", "Steenwijkerland",
    "Tubbergen", "Twenterand", "Wierden", "Zwartewaterland", "Zwolle",
}  # fmt: skip


@pytest.fixture(scope="module")
def directory() -> LibraryDirectory:
    return load_libraries(LIBRARIES)


def test_file_validates_and_ids_are_unique(directory: LibraryDirectory) -> None:
    ids = [lib.id for lib in directory.libraries] + [b.id for b in directory.branches()]
    assert len(ids) == len(set(ids))
    assert len(directory.libraries) >= 20


def test_every_gemeente_of_overijssel_has_a_library(directory: LibraryDirectory) -> None:
    served = {g for library in directory.libraries for g in library.gemeenten}
    assert served == OVERIJSSEL
    for gemeente in OVERIJSSEL:
        assert directory.for_gemeente(gemeente.lower())


def test_brief_organisations_are_present(directory: LibraryDirectory) -> None:
    names = " | ".join(library.name for library in directory.libraries)
    for expected in (
        "Stadkamer", "Deventer", "Enschede", "Twente", "Almelo", "Hardenberg", "Salland",
        "Kop van Overijssel", "Kampen", "Dalfsen-Nieuwleusen", "Borne", "ZINiN", "Twenterand",
        "Losser", "Haaksbergen", "Tubbergen", "Rijssen-Holten", "Wierden", "Staphorst",
        "Zwartewaterland", "Dinkelland",
    ):  # fmt: skip
        assert expected in names
    # The brief's "Ommen" turned out to be a Bibliotheek Salland branch.
    assert directory.library_of("salland-ommen").id == "bibliotheek-salland"
    # Bibliotheek Twente: the seven branches of the 2024 merger.
    assert len(directory.library("bibliotheek-twente").branches) == 7


def test_every_branch_has_an_address_and_appointment_windows(directory: LibraryDirectory) -> None:
    for branch in directory.branches():
        assert branch.address.city, branch.id
        assert branch.address.one_line(), branch.id
        assert not branch.appointment_windows.is_empty(), branch.id
        assert 30 <= branch.appointment_minutes <= 45, branch.id
        assert branch.capacity >= 1
        assert branch.source, branch.id


def test_guesses_are_marked_as_guesses(directory: LibraryDirectory) -> None:
    for branch in directory.branches():
        if branch.verified:
            assert branch.address.complete, branch.id
            assert {
                Confirmable.ADDRESS,
                Confirmable.OPENING_HOURS,
                Confirmable.APPOINTMENT_WINDOWS,
            } <= set(branch.confirmed)
        else:
            assert branch.note, branch.id
        assumed = any("assumed" in source for source in branch.source)
        if assumed:
            assert Confirmable.OPENING_HOURS not in branch.confirmed, branch.id


def test_confirmed_address_is_complete(directory: LibraryDirectory) -> None:
    rouveen = directory.branch("staphorst-rouveen")
    assert Confirmable.ADDRESS in rouveen.confirmed
    assert rouveen.address.one_line().endswith("Seringenhof 2, 7954 JB Rouveen")
    for branch in directory.branches():
        if Confirmable.ADDRESS in branch.confirmed:
            assert branch.address.complete, branch.id


def test_websites_are_https(directory: LibraryDirectory) -> None:
    for library in directory.libraries:
        assert library.website.startswith("https://")
