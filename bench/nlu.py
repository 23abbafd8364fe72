"""Language understanding: parse latency and accuracy on the held-out split (dialogues/nlu/test).

The built-in interpreter always; Rasa when its environment is installed (scripts/rasa-env.sh)
and a trained model is in the cache (`wegwijs nlu train`; CI trains it before the tests). Both are
asked exactly as in a turn (bot.language.evaluation), one example after the other, after one
untimed warm-up round; Rasa over loopback HTTP with a kept-alive connection.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import Summary, tree_rss_mb

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class NluFigures:
    interpreter: str
    accuracy: float
    examples: int
    latency: list[float]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "interpreter": self.interpreter,
            "accuracy": round(self.accuracy, 4),
            "examples": self.examples,
            "latency": Summary.of(self.latency).as_json(),
            "note": self.note,
            **self.extra,
        }


def _labelled() -> list[tuple[Path, str]]:
    from bot.app import load_everything
    from bot.language import evaluation

    content = load_everything()[0]
    files = evaluation.data_files([ROOT / "dialogues" / "nlu" / "test"])
    return [(path, evaluation.language_of(path, content.language_codes, "nl")) for path in files]


async def builtin(rounds: int = 3) -> NluFigures:
    from bot.app import load_everything
    from bot.conversation.inbound import Understanding
    from bot.language import evaluation
    from bot.language.select import builtin_interpreter

    content, catalogue, _ = load_everything()
    interpreter = builtin_interpreter(content, catalogue)

    async def parse(text: str, lang: str) -> Understanding:
        return interpreter.parse_now(text, lang)

    labelled = _labelled()
    result = await evaluation.evaluate("builtin", labelled, parse)  # warm-up, and the accuracy
    latencies: list[float] = []
    for _ in range(rounds):
        latencies += (await evaluation.evaluate("builtin", labelled, parse)).latencies
    return NluFigures(
        "builtin", result.overall.accuracy, result.overall.total, latencies, "in process"
    )


def rasa_installed() -> Path | None:
    """The Rasa environment's python if scripts/rasa-env.sh finished installing it, else None.
    (Looked up the way the script does, without starting an install.)"""
    lock = ROOT / "dialogues" / "nlu" / "rasa-3.6.21-py311-lock.txt"
    if not lock.is_file():
        return None
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("WEGWIJS_CACHE_DIR") or Path.home() / ".cache" / "wegwijs")
    env = Path(os.environ.get("WEGWIJS_RASA_ENV") or cache / f"rasa-3.6.21-{digest}")
    python = env / "bin" / "python"
    if (env / ".wegwijs-complete").is_file() and python.is_file():
        return python
    return None


def cached_model() -> Path | None:
    from bot.language import nlu_models

    model = nlu_models.cache_root() / nlu_models.model_digest() / "wegwijs-nlu.tar.gz"
    return model if model.is_file() else None


async def rasa(rounds: int = 1) -> NluFigures | str:
    """The Rasa figures, or why there are none."""
    from bot.app import load_everything
    from bot.language import evaluation, rasa_runtime
    from bot.language.breaker import CircuitBreaker
    from bot.language.rasa import RasaInterpreter
    from bot.language.select import builtin_interpreter

    python = rasa_installed()
    if python is None:
        return "Rasa environment not installed (wegwijs nlu install)"
    model = cached_model()
    if model is None:
        return "no trained Rasa model for the current data in the cache (wegwijs nlu train)"
    port = rasa_runtime.free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = rasa_runtime.serve(model, port, python=python)
    try:
        await rasa_runtime.wait_ready(url, process=process, timeout=300)
        ready = time.perf_counter() - started
        content, catalogue, _ = load_everything()
        builtin = builtin_interpreter(content, catalogue)
        interpreter = RasaInterpreter(
            url,
            entities=builtin.entities,
            known_tasks=frozenset(content.tasks),
            timeout=30.0,
            breaker=CircuitBreaker(failures=1_000_000),
        )
        try:
            labelled = _labelled()
            result = await evaluation.evaluate("rasa", labelled, interpreter.ask)
            latencies: list[float] = []
            for _ in range(rounds):
                latencies += (
                    await evaluation.evaluate("rasa", labelled, interpreter.ask)
                ).latencies
        finally:
            await interpreter.aclose()
        memory = tree_rss_mb(process.pid)
    finally:
        rasa_runtime.stop(process)
    return NluFigures(
        "rasa",
        result.overall.accuracy,
        result.overall.total,
        latencies,
        "rasa run --enable-api, POST /model/parse over loopback HTTP",
        {"server_rss_mb": round(memory, 1), "server_ready_seconds": round(ready, 1)},
    )
