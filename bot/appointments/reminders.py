"""The reminder loop: sends due appointment reminders and nudges, once, in the person's language.

Reminders are rows in the database (see bot/store/reminders.py), so they survive restarts. Each
round claims due rows (several bot processes never take the same one), decides per row whether it
still helps (send), no longer does (drop) or comes too early (give back with a later time),
renders it through the catalogues and hands it to a `Notifier`. After downtime, late reminders go
out if the appointment is still ahead and are dropped once it has started. Delivery is at most
once: a claimed row is never claimed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.appointments import homework, notices
from bot.appointments.planning import (
    APPOINTMENT_KINDS,
    DAY_BEFORE,
    NUDGE,
    SOON,
    in_nudge_hours,
    nudge_window,
    quiet,
)
from bot.appointments.policy import AppointmentPolicy, policy_of
from bot.clock import Clock
from bot.content.loader import Content
from bot.conversation.replies import Reply
from bot.language.texts import Texts
from bot.notify import Notifier
from bot.observability import metrics
from bot.store.db import Database
from bot.store.reminders import DueReminder, ReminderStore

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
TextsFor = Callable[[str], Texts]
ABANDONED_AFTER = dt.timedelta(minutes=15)
"""A claim older than this belongs to a sender that died; it is dropped (at most once)."""


@dataclass
class Report:
    """What one round did."""

    sent: int = 0
    dropped: int = 0
    postponed: int = 0
    expired: int = 0
    unreachable: int = 0

    def __add__(self, other: Report) -> Report:
        return Report(
            self.sent + other.sent,
            self.dropped + other.dropped,
            self.postponed + other.postponed,
            self.expired + other.expired,
            self.unreachable + other.unreachable,
        )


class Reminders:
    def __init__(
        self,
        db: Database,
        content: Content,
        texts_for: TextsFor,
        notifier: Notifier,
        *,
        policy: AppointmentPolicy | None = None,
        batch: int = 50,
    ) -> None:
        self.store = ReminderStore(db)
        self.content = content
        self.texts_for = texts_for
        self.notifier = notifier
        self.policy = policy or policy_of(content)
        self.batch = batch
        self.token = uuid.uuid4().hex
        """Names this sender in its claims; a new object (restart) gets a new one."""

    @classmethod
    def for_app(cls, app: App, notifier: Notifier) -> Reminders:
        return cls(app.db, app.content, app.engine.texts, notifier)

    async def send_due(self, now: dt.datetime) -> Report:
        """One round: drop what expired, then claim and handle due reminders until none are left."""
        report = Report(expired=await self.store.expire(now))
        report.dropped += await self.store.drop_abandoned(now, ABANDONED_AFTER)
        if quiet(now, self.policy):
            return report
        nudging = in_nudge_hours(now, self.policy)
        kinds = [*APPOINTMENT_KINDS, *([NUDGE, homework.HOMEWORK] if nudging else [])]
        while True:
            claimed = await self.store.claim(now, kinds, self.token, self.batch)
            if not claimed:
                return report
            for due in await self.store.details(claimed, now):
                report += await self._handle(due, now)

    async def run_forever(
        self, clock: Clock, *, interval: float = 30.0, stop: asyncio.Event | None = None
    ) -> None:
        """Send due reminders every `interval` seconds until `stop` is set (or the task is
        cancelled). A failing round is logged and retried next time, never fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                report = await self.send_due(clock.now())
                metrics.reminders_done(report)
                if report.sent or report.dropped or report.unreachable:
                    log.info("reminders sent", extra={"report": vars(report)})
            except asyncio.CancelledError:
                raise
            except Exception:
                metrics.error("reminder_round")
                log.exception("reminder round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    # -- one reminder ---------------------------------------------------------------------------
    async def _handle(self, due: DueReminder, now: dt.datetime) -> Report:
        reason = self._drop_reason(due, now)
        if reason is not None:
            await self.store.mark_dropped(due.id, self.token, reason)
            return Report(dropped=1)
        if due.kind == NUDGE and now - due.last_seen_at < dt.timedelta(
            days=self.policy.nudges.after_days
        ):
            # They came back since it was planned (without moving on): wait from their last visit.
            later, expires = nudge_window(due.last_seen_at, self.policy)
            await self.store.postpone(due.id, self.token, later, expires)
            return Report(postponed=1)
        replies = self._render(due)
        if replies is None:
            await self.store.mark_dropped(due.id, self.token, "content_gone")
            return Report(dropped=1)
        try:
            delivered = await self.notifier.notify(due.channel, due.chat_id, replies)
        except Exception:
            # Unknown whether it went out: drop rather than risk sending it twice.
            log.exception("notifier failed", extra={"reminder": due.id})
            delivered = False
        if not delivered:
            await self.store.mark_dropped(due.id, self.token, "unreachable")
            return Report(unreachable=1)
        await self.store.mark_sent(due.id, self.token, now)
        return Report(sent=1)

    def _drop_reason(self, due: DueReminder, now: dt.datetime) -> str | None:
        if due.consent != "given":
            return "no_consent"
        if due.kind in APPOINTMENT_KINDS:
            if due.appointment_status != "booked":
                return "not_booked"
            if due.starts_at is None or due.starts_at <= now:
                return "passed"
            return None
        if due.kind == NUDGE:
            if not due.nudges_enabled:
                return "turned_off"
            if due.task_status is None or due.task_status == "done":
                return "task_done"
            if due.has_upcoming_appointment:
                return "has_appointment"
            if due.nudges_sent_for_task >= due.nudges_max:
                return "limit"
            return None
        if due.kind == homework.HOMEWORK:
            return homework.drop_reason(due.consent, due.nudges_enabled, due.task_status)
        return "unknown_kind"

    def _render(self, due: DueReminder) -> tuple[Reply, ...] | None:
        texts = self.texts_for(due.language or self.content.languages.source)
        if due.kind in (DAY_BEFORE, SOON):
            assert due.branch_id and due.starts_at and due.ends_at
            key = "reminder.day_before" if due.kind == DAY_BEFORE else "reminder.soon"
            booking = notices.Booking(due.branch_id, due.starts_at, due.ends_at)
            hours = self.policy.reminders.hours_before
            return (notices.reminder(texts, self.content, key, booking, hours),)
        if due.kind == homework.HOMEWORK:
            reply = homework.nudge(texts, self.content, due.task_id or "", due.due_at)
            return (reply,) if reply is not None else None
        reply = notices.nudge(texts, self.content, due.task_id or "", due.step_id)
        return (reply,) if reply is not None else None
