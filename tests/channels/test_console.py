"""The console chat: the same engine in a terminal, scriptable through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _chat(cwd: Path, lines: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TELEGRAM_BOT_TOKEN"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input=lines,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_piped_chat_prints_a_transcript_and_remembers(tmp_path: Path) -> None:
    first = _chat(tmp_path, "1\n1\n1\n1\n", "--lang", "nl")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Mag ik dat bewaren?" in out
    assert "[1] Ja, dat is goed" in out
    assert "> 1" in out, "piped input is echoed so the transcript reads as a conversation"
    assert "Stap 1 van" in out
    assert (tmp_path / "wegwijs.db").exists(), "the default database is a SQLite file in the cwd"

    again = _chat(tmp_path, "", "--lang", "nl")
    assert again.returncode == 0, again.stderr
    assert "Welkom terug! Hier was je gebleven." in again.stdout
    assert "Stap 1 van" in again.stdout


def test_console_answers_junk_kindly(tmp_path: Path) -> None:
    result = _chat(tmp_path, "1\n99\n/unknown\n\x00\x1b[31m\n", "--lang", "nl")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Sorry, dat begrijp ik niet." in result.stdout
    assert "Die opdracht ken ik niet." in result.stdout
