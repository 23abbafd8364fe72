"""The whole of `wegwijs serve` for browser tests: the Telegram webhook against the loopback
Bot API server and the dashboard, served by uvicorn on 127.0.0.1, and Debian's Chromium
driven by Playwright. Screenshots go to test-artifacts/screenshots/ (not in git)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.store.staff_accounts import StaffAccounts
from bot.testing.botapi import BotApiServer, Participant
from bot.web.app import build_components, create_app
from bot.web.dashboard import Dashboard
from bot.web.passwords import hash_password
from bot.web.server import BackgroundServer, bind

CHROMIUM = os.environ.get("WEGWIJS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOWNLOADS = ROOT / "test-artifacts" / "downloads"
SECRET = "browser-test-webhook-secret"


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return (
            f"Debian's Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium; scripts/test.sh does this as root)"
        )
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@dataclass
class Live:
    url: str
    app: App
    dashboard: Dashboard
    telegram: BotApiServer
    clock: FixedClock

    @property
    def people(self) -> Participant:
        return self.telegram.participant

    async def add_user(self, email: str, role: str, library_id: str | None, password: str) -> None:
        await StaffAccounts(self.app.db).add_user(
            email=email,
            role=role,
            library_id=library_id,
            password_hash=hash_password(password),
            name=email.split("@")[0].capitalize(),
            now=self.clock.now(),
        )


@contextlib.asynccontextmanager
async def live_server(database_url: str, clock: FixedClock) -> AsyncIterator[Live]:
    """`wegwijs serve` as in production: webhook + dashboard in one ASGI app under uvicorn."""
    async with BotApiServer(webhook_retry_delay=0.01) as telegram:
        sock = bind("127.0.0.1", 0)
        host, port = sock.getsockname()[:2]
        settings = Settings(
            database_url=database_url,
            telegram_bot_token=telegram.token,
            telegram_api_base_url=telegram.base_url,
            webhook_url=f"http://{host}:{port}",
            webhook_secret=SECRET,
        )
        app = await build_app(settings, clock=clock)
        try:
            components = await build_components(app, settings)
            [dashboard] = [c for c in components if isinstance(c, Dashboard)]
            async with BackgroundServer(create_app(components), sock) as server:
                yield Live(server.url, app, dashboard, telegram, clock)
        finally:
            await app.close()


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def shoot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
