"""Fault injection (429 / 5xx / hangs) and the per-method call log tests read back."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["retry_after", "server_error", "bad_gateway", "hang"]


@dataclass(slots=True)
class Fault:
    """Make the next `count` matching calls fail; `method=None` matches every method."""

    kind: FaultKind
    method: str | None
    count: int
    retry_after: int = 1
    seconds: float = 0.0  # how long a "hang" lasts before the call is answered normally


@dataclass(slots=True, frozen=True)
class CallRecord:
    """One request as received: when (server clock, monotonic seconds), for which chat, outcome."""

    method: str
    at: float
    chat_id: int | str | None
    status: int


class Faults:
    """The queue of faults still to fire, checked in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        count: int = 1,
        retry_after: int = 1,
        seconds: float = 0.0,
    ) -> Fault:
        fault = Fault(
            kind=kind,
            method=method.lower() if method else None,
            count=count,
            retry_after=int(retry_after),
            seconds=seconds,
        )
        self._faults.append(fault)
        return fault

    def retry_after(self, method: str | None = None, *, count: int = 1, seconds: int = 1) -> Fault:
        """Answer 429 Too Many Requests with parameters.retry_after = seconds."""
        return self.add("retry_after", method=method, count=count, retry_after=seconds)

    def server_error(self, method: str | None = None, *, count: int = 1) -> Fault:
        """Answer 500 Internal Server Error (as JSON, like Telegram)."""
        return self.add("server_error", method=method, count=count)

    def bad_gateway(self, method: str | None = None, *, count: int = 1) -> Fault:
        """Answer 502 Bad Gateway with an HTML body, as Telegram's front proxy does."""
        return self.add("bad_gateway", method=method, count=count)

    def hang(self, method: str | None = None, *, seconds: float, count: int = 1) -> Fault:
        """Hold the call for `seconds`, then carry it out and answer normally."""
        return self.add("hang", method=method, count=count, seconds=seconds)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str) -> Fault | None:
        """The fault that applies to this call, consuming one of its count."""
        if not self._faults:
            return None
        for fault in self._faults:
            if fault.method is None or fault.method == method:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                return fault
        return None


class CallLog:
    """Every Bot API request in arrival order, with counters per method (names case-insensitive)."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.counts: defaultdict[str, int] = defaultdict(int)

    def add(self, record: CallRecord) -> None:
        self.records.append(record)
        self.counts[record.method.lower()] += 1

    def of(self, method: str) -> list[CallRecord]:
        name = method.lower()
        return [record for record in self.records if record.method.lower() == name]

    def count(self, method: str) -> int:
        return self.counts.get(method.lower(), 0)

    def clear(self) -> None:
        self.records.clear()
        self.counts.clear()
