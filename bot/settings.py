"""Settings from environment variables (and an optional .env file), with working defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///wegwijs.db"
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API
    webhook_url: str | None = None
    webhook_secret: str | None = None
    rasa_url: str | None = None
    translator: str | None = None
    translator_api_key: str | None = None
    translator_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: str | None = None
    retention_inactive_days: int = 365
    retention_handover_days: int = 90
    retention_declined_hours: int = 24
    retention_purge_every_minutes: int = 60
    workers: int = 1
    """uvicorn worker processes of `wegwijs serve` (WEB_CONCURRENCY)."""
    reminders_every_seconds: float = 30.0
    """How often each long-running Telegram process sends due reminders; 0 turns it off."""
    telegram_register: bool = True
    """Set the webhook and the command menu at start (`serve --workers N` does it once)."""
    metrics_token: str | None = None
    """When set, /metrics wants `Authorization: Bearer <token>`."""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env_file: Path | None = None) -> Settings:
        # A .env in the working directory is read if present; real environment variables win.
        load_dotenv(env_file or Path.cwd() / ".env", override=False)
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_TELEGRAM_API,
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            rasa_url=env.get("RASA_URL") or None,
            translator=env.get("TRANSLATOR") or None,
            translator_api_key=env.get("TRANSLATOR_API_KEY") or None,
            translator_url=env.get("TRANSLATOR_URL") or None,
            log_level=env.get("LOG_LEVEL") or "INFO",
            log_json=_flag(env.get("LOG_JSON"), False),
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8080),
            secret_key=env.get("SECRET_KEY") or None,
            retention_inactive_days=int(env.get("RETENTION_INACTIVE_DAYS") or 365),
            retention_handover_days=int(env.get("RETENTION_HANDOVER_DAYS") or 90),
            retention_declined_hours=int(env.get("RETENTION_DECLINED_HOURS") or 24),
            retention_purge_every_minutes=int(env.get("RETENTION_PURGE_EVERY_MINUTES") or 60),
            workers=int(env.get("WEB_CONCURRENCY") or 1),
            reminders_every_seconds=float(env.get("REMINDERS_EVERY_SECONDS") or 30),
            telegram_register=_flag(env.get("TELEGRAM_REGISTER"), True),
            metrics_token=env.get("METRICS_TOKEN") or None,
        )
