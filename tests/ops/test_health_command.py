"""`wegwijs health`, the container's health check: "ok" and exit 0 when content loads and the
database answers; exit 1 when it does not. Its database work lives in bot/store/."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, postgres_problem

REPO = Path(__file__).resolve().parents[2]


def health(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "bot", "health"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_ok_when_the_database_answers(sqlite_url: str) -> None:
    result = health(sqlite_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_ok_on_postgresql() -> None:
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    result = health(POSTGRES_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_fails_when_the_database_is_not_there() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = health(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test")
    assert result.returncode == 1
    assert "ok" not in result.stdout


def test_only_the_store_imports_sqlalchemy() -> None:
    offenders = []
    for path in sorted((REPO / "bot").rglob("*.py")):
        if (REPO / "bot" / "store") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(name.split(".")[0] == "sqlalchemy" for name in names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, f"SQLAlchemy imported outside bot/store/: {offenders}"
