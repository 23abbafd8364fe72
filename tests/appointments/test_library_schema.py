"""A broken libraries file fails with the file, the field and what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.appointments.schema import load_libraries
from bot.content.errors import ContentError, ContentErrors

FIXTURES = Path(__file__).parent / "fixtures"


def _problems(path: Path) -> dict[str, str]:
    with pytest.raises(ContentErrors) as caught:
        load_libraries(path)
    for error in caught.value.errors:
        assert error.path == path
    return {error.field: error.message for error in caught.value.errors}


def test_broken_file_names_file_field_and_problem() -> None:
    path = FIXTURES / "broken_libraries.yml"
    problems = _problems(path)

    # Fields are named by library and branch id, not by list position.
    field = "libraries.demo-library.branches.demo-branch.opening_hours.tue.0"
    assert field in problems
    assert "ends (10:00) before it starts (17:00)" in problems[field]

    quoted = "libraries.demo-library.branches.demo-branch.holiday_rules.christmas_eve_closes_at"
    assert "write the time in quotes" in problems[quoted]

    # The message printed for staff starts with the file and the field.
    with pytest.raises(ContentErrors) as caught:
        load_libraries(path)
    assert f"{path}: {field}: " in str(caught.value)


def test_window_outside_opening_hours_is_refused() -> None:
    problems = _problems(FIXTURES / "window_outside_hours.yml")
    [(field, message)] = problems.items()
    assert field == "libraries.demo-library.branches.demo-branch"
    assert "appointment_windows.wed: 10:00-12:15 is outside the opening hours" in message


def test_missing_file_and_bad_yaml() -> None:
    missing = FIXTURES / "nope.yml"
    with pytest.raises(ContentError) as caught:
        load_libraries(missing)
    assert caught.value.path == missing and caught.value.message == "file is missing"

    with pytest.raises(ContentError) as caught:
        load_libraries(FIXTURES / "not_yaml.yml")
    assert caught.value.field.startswith("line ")
    assert "not valid YAML" in caught.value.message


def _minimal() -> dict[str, Any]:
    return {
        "libraries": [
            {
                "id": "demo-library",
                "name": "Demo",
                "website": "https://example.org",
                "gemeenten": ["Demo"],
                "branches": [
                    {
                        "id": "demo-branch",
                        "name": "Demo vestiging",
                        "address": {"city": "Demostad"},
                        "opening_hours": {"mon": "10:00-17:00"},
                        "appointment_windows": {"mon": "10:00-11:30"},
                        "appointment_minutes": 45,
                        "source": ["test"],
                        "checked": "2026-11-25",
                        "verified": False,
                        "note": "test",
                    }
                ],
            }
        ]
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "libraries.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path: Path) -> None:
    directory = load_libraries(_write(tmp_path, _minimal()))
    assert directory.branch("demo-branch").capacity == 1


def test_verified_needs_confirmed_parts_and_full_address(tmp_path: Path) -> None:
    data = _minimal()
    data["libraries"][0]["branches"][0]["verified"] = True
    problems = _problems(_write(tmp_path, data))
    message = problems["libraries.demo-library.branches.demo-branch"]
    assert "verified: true but not confirmed" in message


def test_unverified_branch_must_say_what_is_assumed(tmp_path: Path) -> None:
    data = _minimal()
    del data["libraries"][0]["branches"][0]["note"]
    problems = _problems(_write(tmp_path, data))
    assert "say what is assumed" in problems["libraries.demo-library.branches.demo-branch"]


def test_unknown_keys_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _minimal()
    data["libraries"][0]["branches"][0]["opening_time"] = "10:00"
    problems = _problems(_write(tmp_path, data))
    assert "libraries.demo-library.branches.demo-branch.opening_time" in problems

    data = _minimal()
    data["libraries"][0]["branches"][0]["id"] = "demo-library"
    problems = _problems(_write(tmp_path, data))
    assert any("used twice" in message for message in problems.values())


def test_bad_postcode_and_http_website(tmp_path: Path) -> None:
    data = _minimal()
    data["libraries"][0]["website"] = "http://example.org"
    data["libraries"][0]["branches"][0]["address"]["postcode"] = "1234ab"
    problems = _problems(_write(tmp_path, data))
    assert "libraries.demo-library.website" in problems
    postcode = "libraries.demo-library.branches.demo-branch.address.postcode"
    assert "not a Dutch postcode" in problems[postcode]
