"""`wegwijs try`: a person chats with the real bot through the local Bot API server, scripted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import load_everything

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("transport", ["polling", "webhook"])
def test_try_it_in_the_terminal(tmp_path: Path, transport: str) -> None:
    _, _, engine = load_everything()
    en = engine.texts("en")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.pop("DATABASE_URL", None)
    extra = ["--webhook"] if transport == "webhook" else []
    # English is offered first (the pretend Telegram app is English); then consent, then !voice.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--lang", "en", *extra],
        input="1\n1\n!voice\n/quit\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> 1" in out, "piped input is echoed, so the output reads as a conversation"
    assert "[1] English" in out
    assert en("consent.text").splitlines()[0] in out
    assert en("fallback.voice") in out
    assert "Traceback" not in out + result.stderr
    assert not list(tmp_path.iterdir()), "the conversation lived in a temporary database"
