"""Run the Rasa NLU service from its own environment: install, train, serve, wait until ready.

Rasa 3.6 cannot share a virtual environment with the bot (old numpy, TensorFlow, pydantic 1),
so this module never imports it: it runs `scripts/rasa-env.sh` and the environment's `rasa`
command as subprocesses and talks to the server over HTTP.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import httpx
import yaml

from bot.language.nlu_eval import load_examples

RASA_VERSION = "3.6.21"
MODEL_NAME = "wegwijs-nlu"
# Files in dialogues/nlu/ that are not training data.
_NOT_TRAINING = {"config.yml", "domain.yml"}


class RasaError(RuntimeError):
    """Installing, training or starting Rasa failed; the message ends with Rasa's own output."""


def content_root() -> Path:
    """The folder holding dialogues/ and scripts/, wherever the process was started from."""
    override = os.environ.get("WEGWIJS_CONTENT_DIR")
    return Path(override).resolve() if override else Path(__file__).resolve().parents[2]


def nlu_dir(root: Path | None = None) -> Path:
    return (root or content_root()) / "dialogues" / "nlu"


def training_files(root: Path | None = None) -> list[Path]:
    """The language files and patterns.yml; the held-out split in test/ is deliberately left out."""
    return sorted(p for p in nlu_dir(root).glob("*.yml") if p.name not in _NOT_TRAINING)


def rasa_environ() -> dict[str, str]:
    """Our environment minus the bot's venv, with Rasa's telemetry and TF chatter switched off."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONHASHSEED="0",
    )
    return env


def ensure_env(root: Path | None = None, timeout: float = 1800.0) -> Path:
    """Install the Rasa environment if needed (reused when complete); its python's path."""
    script = (root or content_root()) / "scripts" / "rasa-env.sh"
    result = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RasaError(f"{script} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return Path(lines[-1])


def rasa_command(python: Path) -> Path:
    return python.parent / "rasa"


# The first two rules of Rasa's WhitespaceTokenizer (punctuation at word edges), enough to
# find the words of the training data the way the featurizer will see them.
_EDGE_PUNCTUATION = re.compile(r"[^\w#@&]+(?=\s|$)|(\s|^)[^\w#@&]+(?=[^0-9\s])")


def rare_words(files: list[Path]) -> list[str]:
    """Words that occur once in the training data: the model's stand-in for an unseen word."""
    counts: Counter[str] = Counter()
    for path in files:
        for example in load_examples(path):
            counts.update(_EDGE_PUNCTUATION.sub(" ", example.text.casefold()).split())
    return sorted(word for word, n in counts.items() if n == 1)


def training_config(root: Path | None = None) -> dict[str, Any]:
    """config.yml, with `OOV_words` filled with the rare words where `OOV_token` asks for it.

    Without this, a message made only of unseen words (keyboard mash, an unknown emoji) has
    no word features at all and DIET answers it with whatever intent its biases favour.
    """
    config: dict[str, Any] = yaml.safe_load((nlu_dir(root) / "config.yml").read_text("utf-8"))
    for step in config.get("pipeline") or []:
        if step.get("OOV_token") and not step.get("OOV_words"):
            step["OOV_words"] = rare_words(training_files(root))
    return config


def train(
    output_dir: Path,
    *,
    python: Path | None = None,
    root: Path | None = None,
    timeout: float = 3600.0,
) -> Path:
    """Train the NLU model into output_dir and return the model archive's path.

    Rasa reads every YAML file under the folder given to `--nlu`, test/ included, so the
    training files are copied into a scratch folder first. The log is kept as train.log.
    """
    python = python or ensure_env(root)
    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wegwijs-nlu-") as scratch:
        data = Path(scratch) / "nlu"
        data.mkdir()
        for source in training_files(root):
            shutil.copy2(source, data / source.name)
        config = Path(scratch) / "config.yml"
        config.write_text(yaml.safe_dump(training_config(root), allow_unicode=True), "utf-8")
        command = [
            str(rasa_command(python)),
            "train",
            "nlu",
            "--nlu",
            str(data),
            "--config",
            str(config),
            "--out",
            str(output_dir),
            "--fixed-model-name",
            MODEL_NAME,
        ]
        log_path = output_dir / "train.log"
        with log_path.open("wb") as log:
            # cwd: Rasa keeps its training cache in ./.rasa, which must not land in the repo.
            code = subprocess.run(
                command,
                cwd=scratch,
                env=rasa_environ(),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            ).returncode
    model = output_dir / f"{MODEL_NAME}.tar.gz"
    if code != 0 or not model.is_file():
        raise RasaError(f"rasa train nlu failed ({code}):\n{_tail(log_path)}")
    return model


def serve(
    model_path: Path,
    port: int,
    host: str = "127.0.0.1",
    *,
    python: Path | None = None,
    log: IO[bytes] | None = None,
    token: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start `rasa run --enable-api` for one model; stop it with `stop()`.

    token: Rasa's `--auth-token`; clients then send it as `?token=`.
    """
    python = python or ensure_env()
    model_path = model_path.resolve()
    command = [
        str(rasa_command(python)),
        "run",
        "--enable-api",
        "--model",
        str(model_path),
        "--interface",
        host,
        "--port",
        str(port),
        *(["--auth-token", token] if token else []),
    ]
    return subprocess.Popen(
        command,
        cwd=model_path.parent,
        env=rasa_environ(),
        stdin=subprocess.DEVNULL,
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Ask the server to stop, and kill it if it does not within `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


async def wait_ready(
    url: str,
    timeout: float = 180.0,  # noqa: ASYNC109 - a deadline for polling, not for one await
    process: subprocess.Popen[bytes] | None = None,
    token: str | None = None,
) -> None:
    """Wait until the server at url answers /model/parse (the model is loaded)."""
    deadline = time.monotonic() + timeout
    params = {"token": token} if token else {}
    async with httpx.AsyncClient(timeout=5.0, params=params) as client:
        while True:
            if process is not None and process.poll() is not None:
                raise RasaError(f"rasa run exited with {process.returncode} before it was ready")
            try:
                response = await client.post(f"{url}/model/parse", json={"text": "hallo"})
                if response.status_code == 200 and "intent" in response.json():
                    return
            except (httpx.TransportError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RasaError(f"Rasa at {url} not ready after {timeout:.0f} s")
            await asyncio.sleep(0.5)


async def parse(
    client: httpx.AsyncClient, url: str, text: str, token: str | None = None
) -> dict[str, Any]:
    """Rasa's raw /model/parse answer: intent, intent_ranking, entities, text."""
    params = {"token": token} if token else {}
    response = await client.post(f"{url}/model/parse", json={"text": text}, params=params)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for tests and one-off runs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(path: Path, size: int = 4000) -> str:
    data = path.read_bytes() if path.is_file() else b""
    return data[-size:].decode("utf-8", errors="replace")
