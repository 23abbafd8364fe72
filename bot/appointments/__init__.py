"""Libraries, opening hours, slot times, their wording in each language and calendar files.

Pure parts only: loading knowledge/libraries.yml (`schema`), the calendar of a branch
(`calendar`), day/time wording (`formatting`) and .ics files (`ics`). Booking, persistence and
reminders build on these through the store.
"""

from bot.appointments.calendar import (
    AMSTERDAM,
    DayClosure,
    SlotTime,
    appointment_windows_on,
    candidate_slots,
    closures_on,
    free_slots,
    holidays_for,
    is_open,
    next_slots,
    opening_hours_on,
)
from bot.appointments.schema import (
    Branch,
    Closure,
    Library,
    LibraryDirectory,
    WeeklyHours,
    load_libraries,
)

__all__ = [
    "AMSTERDAM",
    "Branch",
    "Closure",
    "DayClosure",
    "Library",
    "LibraryDirectory",
    "SlotTime",
    "WeeklyHours",
    "appointment_windows_on",
    "candidate_slots",
    "closures_on",
    "free_slots",
    "holidays_for",
    "is_open",
    "load_libraries",
    "next_slots",
    "opening_hours_on",
]
