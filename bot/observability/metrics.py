"""The Prometheus metrics of Wegwijs, and rendering them for /metrics.

With several uvicorn workers every worker counts in its own process. prometheus_client's
multiprocess mode adds them up: when PROMETHEUS_MULTIPROC_DIR is set (before prometheus_client
is first imported: `wegwijs serve` empties it and `--workers N` sets it for its workers; see
multiprocess.py) each process writes its values to files there and /metrics sums the files of
all workers, including ones that have exited. With no such folder, values live in memory.

Labels are small fixed sets (never a chat id, a text or a task typed by someone), so the number
of series stays bounded. docs/operations.md says what each metric means.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

from bot.conversation.effects import (
    BookSlot,
    CancelAppointment,
    OpenHandover,
    RescheduleAppointment,
)
from bot.observability.multiprocess import multiprocess_dir

CONTENT_TYPE = CONTENT_TYPE_LATEST
_folder = multiprocess_dir()
if _folder is not None:
    # A one-off command in a container that sets the variable must not fail for want of it.
    _folder.mkdir(parents=True, exist_ok=True)

TURNS = Counter(
    "wegwijs_turns",
    "Turns handled (one message or button press of a participant), by channel and outcome: "
    "answered, try_again (database unavailable) or failed (an error; the participant is told).",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "wegwijs_turn_seconds",
    "Time from receiving a participant's message to the replies being ready (not sent).",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TURN_RETRIES = Counter(
    "wegwijs_turn_retries",
    "Turns run again because another worker saved a turn of the same chat first "
    "(optimistic locking); a few are normal with several workers.",
)
ESCALATIONS = Counter(
    "wegwijs_escalations",
    "Handovers opened for library staff, by reason (stuck, failed, misunderstood, away, asked).",
    ["reason"],
)
BOOKINGS = Counter(
    "wegwijs_bookings",
    "Appointments: booked, moved, cancelled, or rejected (the slot was taken meanwhile).",
    ["action"],
)
REMINDERS = Counter(
    "wegwijs_reminders",
    "Reminders and nudges by result: sent, dropped (no longer useful), unreachable (blocked "
    "chat), postponed (came too early) or expired (past their window after downtime).",
    ["result"],
)
NLU = Counter(
    "wegwijs_nlu",
    "Free-text messages by who understood them: rasa, builtin, lookup (task titles and "
    "glossary words), phishing (a forwarded fake), none.",
    ["source"],
)
UPDATES = Counter(
    "wegwijs_telegram_updates",
    "Telegram webhook deliveries by result: new, duplicate (handled before; dropped), busy "
    "(another worker handles it; Telegram asks again), unchecked (database down: handled "
    "without the duplicate check).",
    ["result"],
)
ERRORS = Counter(
    "wegwijs_errors",
    "Errors by kind: database_unavailable, turn_failed, concurrent_update, telegram, "
    "reminder_round, webhook_rejected.",
    ["kind"],
)

# Pre-create the usual series so a fresh worker's /metrics shows them at 0 (rate() needs that).
for _outcome in ("answered", "try_again", "failed"):
    TURNS.labels("telegram", _outcome)
for _action in ("booked", "moved", "cancelled", "rejected"):
    BOOKINGS.labels(_action)
for _result in ("sent", "dropped", "unreachable", "postponed", "expired"):
    REMINDERS.labels(_result)
for _source in ("rasa", "builtin"):
    NLU.labels(_source)
for _result in ("new", "duplicate", "busy"):
    UPDATES.labels(_result)


def mark_process_dead(pid: int) -> None:
    """Tell multiprocess mode a worker has gone (only gauges care; harmless otherwise)."""
    if multiprocess_dir() is not None:
        _multiprocess.mark_process_dead(pid)


def render() -> bytes:
    """The text exposition of every metric, summed over all workers in multiprocess mode."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def turn_done(channel: str, outcome: str, seconds: float) -> None:
    TURNS.labels(channel, outcome).inc()
    TURN_SECONDS.labels(channel).observe(seconds)


def turn_saved(effects: Iterable[object]) -> None:
    """Count what a saved turn did: handovers opened, appointments booked, moved, cancelled."""
    for effect in effects:
        if isinstance(effect, OpenHandover):
            ESCALATIONS.labels(effect.reason).inc()
        elif isinstance(effect, BookSlot):
            BOOKINGS.labels("booked").inc()
        elif isinstance(effect, RescheduleAppointment):
            BOOKINGS.labels("moved").inc()
        elif isinstance(effect, CancelAppointment):
            BOOKINGS.labels("cancelled").inc()


def understood(source: str) -> None:
    NLU.labels(source).inc()


def reminders_done(report: object) -> None:
    """Add one round of the reminder loop (a bot.appointments.reminders.Report)."""
    for result in ("sent", "dropped", "unreachable", "postponed", "expired"):
        count = int(getattr(report, result, 0) or 0)
        if count:
            REMINDERS.labels(result).inc(count)


def error(kind: str) -> None:
    ERRORS.labels(kind).inc()
