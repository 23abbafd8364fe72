"""The container's start-up outside Docker: docker/entrypoint.sh `migrate`, then `serve` with two
workers, against PostgreSQL and the loopback Bot API server; then /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram.webhook import webhook_path
from bot.testing.botapi import BotApiServer
from tests.ops.servers import (
    REPO,
    SECRET,
    base_env,
    free_port,
    spawn,
    stopped_at_exit,
    wait_for_log,
    wait_ready,
)

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.timeout(300)]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"
CHATS = 8


def metric(text: str, name: str) -> float:
    """A sample's value in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_migrate_once_then_two_workers(postgres_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left over from an earlier run")
    async with BotApiServer(webhook_retry_delay=0.01) as server:
        port = free_port()
        env = base_env(
            DATABASE_URL=postgres_url,
            TELEGRAM_BOT_TOKEN=server.token,
            TELEGRAM_API_BASE_URL=server.base_url,
            WEBHOOK_URL=f"http://127.0.0.1:{port}",
            WEBHOOK_SECRET=SECRET,
            PORT=str(port),
            WEB_CONCURRENCY="2",
            PROMETHEUS_MULTIPROC_DIR=str(folder),
            SECRET_KEY="ops-test-secret-key-" + "x" * 32,
        )
        migrate = spawn(["sh", str(ENTRYPOINT), "migrate"], env, tmp_path / "migrate.log")
        assert await asyncio.to_thread(migrate.popen.wait, 120) == 0, migrate.log.read_text()
        assert any("migrating database" in str(line) for line in migrate.lines())

        serve = spawn(["sh", str(ENTRYPOINT), "serve"], env, tmp_path / "serve.log")
        serve.url = f"http://127.0.0.1:{port}"
        async with stopped_at_exit([serve]):
            ready = await wait_ready(serve)
            await wait_for_log(serve, "Application startup complete.", 2)  # both workers
            assert ready["database"]["status"] == "ok"
            assert ready["database"]["revision"] == ready["database"]["expected"]
            assert ready["content"]["tasks"] >= 16 and "ar" in ready["content"]["languages"]
            assert ready["rasa"] == {"configured": False, "answering_instead": "builtin"}
            assert ready["translator"] == {"provider": "none"}
            assert not (folder / "counter_1.db").exists(), "the metrics folder was emptied"

            # The parent registered the webhook once; Telegram (the loopback server) now
            # delivers to whichever worker accepts the connection.
            assert server.calls.count("setWebhook") == 1
            assert server.backend.webhook.url.endswith(webhook_path(server.token, SECRET))
            people = server.participant
            chats = [await people.private_chat(80_000 + n, f"P{n}") for n in range(CHATS)]
            for chat in chats:
                await people.send_command(chat, "start")
            for chat in chats:
                assert (await people.wait_for_reply(chat, timeout=30)).text

            async with httpx.AsyncClient(base_url=serve.url, trust_env=False) as client:
                health = await client.get("/healthz", headers={"X-Request-ID": "check-42"})
                assert health.status_code == 200
                assert health.headers["x-request-id"] == "check-42"
                assert (await client.get("/healthz")).headers["x-request-id"] != "check-42"
                # Summed over both workers, whichever handled which update.
                text = (await client.get("/metrics")).text
            answered = 'wegwijs_turns_total{channel="telegram",outcome="answered"}'
            assert metric(text, answered) == CHATS
            assert metric(text, 'wegwijs_turn_seconds_count{channel="telegram"}') == CHATS
            assert metric(text, 'wegwijs_telegram_updates_total{result="new"}') == CHATS
            assert server.calls.count("setWebhook") == 1, "the workers did not register again"
        assert serve.popen.returncode == 0, "SIGTERM stops the workers and the parent cleanly"

    lines = serve.lines()
    assert not [line for line in lines if "raw" in line], "every log line is JSON"
    started = [line for line in lines if "Started server process" in str(line.get("message"))]
    assert len(started) == 2, "two workers"
    assert not any("migrating database" in str(line) for line in lines), "migrated before"
