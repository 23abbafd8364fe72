"""A circuit breaker: after a run of failures, stop calling a service for a while.

A turn must never wait long on an outside service. When the service keeps failing, each turn
would still pay the full timeout; the breaker skips the call instead ("open") until a cool-down
has passed, then lets one call through to see whether the service is back ("half-open").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        failures: int = 3,
        cooldown: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """failures: consecutive failures that open it; cooldown: seconds it then stays open."""
        self.failures_to_open = failures
        self.cooldown = cooldown
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_at: float | None = None

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return State.CLOSED
        if self._monotonic() - self._opened_at >= self.cooldown:
            return State.HALF_OPEN
        return State.OPEN

    def allow(self) -> bool:
        """May the service be called now? In half-open state only one trial call at a time."""
        state = self.state
        if state is State.CLOSED:
            return True
        if state is State.OPEN:
            return False
        now = self._monotonic()
        # A trial that never reported back (its caller was cancelled) does not block for ever.
        if self._trial_at is None or now - self._trial_at >= self.cooldown:
            self._trial_at = now
            return True
        return False

    def success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_at = None

    def failure(self) -> bool:
        """Count a failure; True when this one opened (or re-opened) the breaker."""
        self._failures += 1
        self._trial_at = None
        if self._opened_at is not None or self._failures >= self.failures_to_open:
            self._opened_at = self._monotonic()
            return True
        return False
