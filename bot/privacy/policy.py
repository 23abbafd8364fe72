"""How long Wegwijs keeps what, as one small value object the engine and the purge job share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

CONTENT_KEY = "retention"
"""Where `load_everything` puts the configured policy in `Content.extras`, for the texts."""


@dataclass(frozen=True)
class RetentionPolicy:
    inactive_days: int = 365
    """A participant who gave consent and sent nothing for this long is erased."""
    handover_days: int = 90
    """The participant's own words in a handover are erased this long after it was closed."""
    declined_hours: int = 24
    """Someone who said no (or never answered, or is under 16) is kept only this long."""
    purge_every_minutes: int = 60
    """How often the long-running processes run the purge."""

    def __post_init__(self) -> None:
        for name in ("inactive_days", "handover_days", "declined_hours", "purge_every_minutes"):
            if getattr(self, name) < 1:
                raise ValueError(f"retention setting {name} must be at least 1")

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        """From `bot.settings.Settings` (RETENTION_* environment variables)."""
        return cls(
            inactive_days=settings.retention_inactive_days,
            handover_days=settings.retention_handover_days,
            declined_hours=settings.retention_declined_hours,
            purge_every_minutes=settings.retention_purge_every_minutes,
        )

    @property
    def inactive(self) -> dt.timedelta:
        return dt.timedelta(days=self.inactive_days)

    @property
    def handover(self) -> dt.timedelta:
        return dt.timedelta(days=self.handover_days)

    @property
    def declined(self) -> dt.timedelta:
        return dt.timedelta(hours=self.declined_hours)

    @property
    def inactive_months(self) -> int:
        """For the participant: "after 12 months", rounded to whole months (at least 1)."""
        return max(1, round(self.inactive_days / 30.4))

    @property
    def handover_months(self) -> int:
        return max(1, round(self.handover_days / 30.4))


def retention_of(extras: Any) -> RetentionPolicy:
    """The policy configured for this installation (see `bot.app`), else the defaults."""
    policy = extras.get(CONTENT_KEY) if hasattr(extras, "get") else None
    return policy if isinstance(policy, RetentionPolicy) else RetentionPolicy()
