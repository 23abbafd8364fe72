"""Small branches built in code, so calendar tests do not depend on the real (unverified) data."""

from __future__ import annotations

from typing import Any

from bot.appointments.schema import Branch


def make_branch(**overrides: Any) -> Branch:
    data: dict[str, Any] = {
        "id": "test-branch",
        "name": "Testbibliotheek",
        "address": {"street": "Teststraat", "number": "1", "postcode": "8011 AA", "city": "Zwolle"},
        "opening_hours": {
            "mon": "10:00-17:30",
            "tue": "10:00-17:30",
            "wed": "10:00-17:30",
            "thu": "10:00-20:00",
            "fri": "10:00-17:30",
            "sat": "10:00-16:00",
        },
        "appointment_windows": {
            "mon": "10:00-12:15",
            "tue": "10:00-12:15",
            "wed": "14:00-16:15",
            "thu": "14:00-16:15",
            "fri": "10:00-12:15",
        },
        "appointment_minutes": 45,
        "source": ["test"],
        "checked": "2026-11-25",
        "verified": False,
        "note": "test branch",
    }
    data.update(overrides)
    return Branch.model_validate(data)
