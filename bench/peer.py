"""Side by side with a Rasa-only assistant: the same DigiD guide, the same conversation.

The peer (bench/peers/rasa_digid: domain, rules, a form, the REST channel) is trained once in the
Rasa environment of `scripts/rasa-env.sh` (cached by a hash of its files and of the Rasa lock
file), served with `rasa run`, and driven through `POST /webhooks/rest/webhook` by the same
walkers as our bot (bench.walker, "DigiD aanvragen" in Dutch): a button press sends the button's
payload, typed text is the same held-out sentence. Turns run one at a time, so a turn's latency
is its cost. Beside it, our assistant walks the same conversations through the Telegram adapter
in process (bench.turns) on SQLite, in the same run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.stats import Summary, process_cpu_seconds, rss_mb, tree_rss_mb
from bench.walker import Action, Command, Keyboard, Press, Type, Walker, free_texts

ROOT = Path(__file__).resolve().parents[1]
PEER = ROOT / "bench" / "peers" / "rasa_digid"
TASK = "digid-aanvragen"
MODEL_NAME = "rasa-digid"
WARMUP = 5
"""Conversations before the timed ones, on each side (first-call costs, caches)."""

# The peer's button payloads and the walker's callback actions (the same buttons).
_ACTIONS = {
    "choose_language": "lang",
    "consent_yes": "consent",
    "consent_no": "consent",
    "show_tasks": "tasks",
    "show_menu": "menu",
    "show_overview": "overview",
    "choose_task": "task",
    "begin_task": "start",
    "step_done": "done",
    "step_failed": "failed",
    "step_stuck": "stuck",
    "explain_term": "term",
    "retry": "retry",
    "library_help": "library_help",
    "start": "language",
}


@dataclass
class PeerFigures:
    conversations: int
    peer_latency: list[float]
    peer_cpu_seconds: float
    peer_rss_mb: float
    peer_peak_rss_mb: float
    peer_ready_seconds: float
    peer_http_floor: list[float]
    ours_total: list[float]
    ours_own: list[float]
    ours_cpu_seconds: float
    ours_rss_mb: float
    ours_peak_rss_mb: float
    peer_lost: int
    ours_lost: int
    ours_errors: int

    def as_json(self) -> dict[str, Any]:
        peer = Summary.of(self.peer_latency)
        floor = Summary.of(self.peer_http_floor)
        total = Summary.of(self.ours_total)
        own = Summary.of(self.ours_own)
        peer_cpu = self.peer_cpu_seconds / max(1, peer.n) * 1000
        ours_cpu = self.ours_cpu_seconds / max(1, total.n) * 1000

        def ratio(theirs: float, mine: float) -> float | None:
            return round(theirs / mine, 1) if mine else None

        return {
            "conversations": self.conversations,
            "rasa_only": {
                "turns": peer.n,
                "latency": peer.as_json(),
                "http_floor": floor.as_json(),
                "cpu_ms_per_turn": round(peer_cpu, 3),
                "rss_mb": round(self.peer_rss_mb, 1),
                "peak_rss_mb": round(self.peer_peak_rss_mb, 1),
                "ready_seconds": round(self.peer_ready_seconds, 1),
                "walks_lost": self.peer_lost,
            },
            "wegwijs": {
                "turns": total.n,
                "latency_adapter": total.as_json(),
                "latency_own": own.as_json(),
                "cpu_ms_per_turn": round(ours_cpu, 3),
                "rss_mb": round(self.ours_rss_mb, 1),
                "peak_rss_mb": round(self.ours_peak_rss_mb, 1),
                "walks_lost": self.ours_lost,
                "errors": self.ours_errors,
            },
            "ratio_p50_latency": ratio(peer.p50, total.p50),
            "ratio_p95_latency": ratio(peer.p95, total.p95),
            "ratio_p50_latency_without_http": ratio(peer.p50 - floor.p50, total.p50),
            "ratio_cpu_per_turn": ratio(peer_cpu, ours_cpu),
            "ratio_memory": ratio(self.peer_rss_mb, self.ours_rss_mb),
            "ratio_peak_memory": ratio(self.peer_peak_rss_mb, self.ours_peak_rss_mb),
        }


def peer_digest(python: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(PEER.rglob("*.yml")):
        digest.update(str(path.relative_to(PEER)).encode())
        digest.update(path.read_bytes())
    digest.update(str(python).encode())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("WEGWIJS_CACHE_DIR") or str(Path.home() / ".cache" / "wegwijs")
    return Path(base) / "bench-peer"


def trained_model(python: Path, say: Any = print) -> Path:
    """The peer's model for the current files: from the cache, or trained into it (~2 min)."""
    from bot.language.rasa_runtime import RasaError, rasa_environ

    folder = cache_dir() / peer_digest(python)
    model = folder / f"{MODEL_NAME}.tar.gz"
    if model.is_file():
        return model
    say(f"training the Rasa-only peer into {folder} (takes a few minutes) ...")
    with tempfile.TemporaryDirectory(prefix="wegwijs-peer-") as scratch:
        project = Path(scratch) / "project"
        shutil.copytree(PEER, project)
        out = Path(scratch) / "models"
        command = [
            str(python.parent / "rasa"),
            "train",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--out",
            str(out),
            "--fixed-model-name",
            MODEL_NAME,
        ]
        log = Path(scratch) / "train.log"
        with log.open("wb") as handle:
            code = subprocess.run(
                command,
                cwd=project,
                env=rasa_environ(),
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=3600,
                check=False,
            ).returncode
        built = out / f"{MODEL_NAME}.tar.gz"
        if code != 0 or not built.is_file():
            tail = log.read_bytes()[-3000:].decode("utf-8", "replace")
            raise RasaError(f"training the peer failed ({code}):\n{tail}")
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, model)
    return model


def _serve(python: Path, model: Path, port: int) -> subprocess.Popen[bytes]:
    from bot.language.rasa_runtime import rasa_environ

    command = [
        str(python.parent / "rasa"),
        "run",
        "--model",
        str(model),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return subprocess.Popen(
        command,
        cwd=PEER,
        env=rasa_environ(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def _wait_ready(client: httpx.AsyncClient, url: str, process: Any, timeout: float) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"rasa run exited with {process.returncode} before it was ready")
        try:
            answer = await client.post(url, json={"sender": "ready-check", "message": "/start"})
            if answer.status_code == 200 and isinstance(answer.json(), list):
                return
        except (httpx.TransportError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the Rasa-only peer was not ready after {timeout:.0f} s")
        await asyncio.sleep(0.5)


def _keyboard(messages: list[dict[str, Any]], turn: int) -> tuple[Keyboard | None, dict[str, str]]:
    """The newest message with buttons, its payloads as the walker's callback data."""
    for message in reversed(messages):
        buttons = message.get("buttons") or []
        if not buttons:
            continue
        data: dict[str, str] = {}
        for button in buttons:
            payload = str(button.get("payload", ""))
            name, _, raw = payload.lstrip("/").partition("{")
            action = _ACTIONS.get(name)
            if action is None:
                continue
            argument = ""
            if raw:
                values = list(json.loads("{" + raw).values())
                argument = str(values[0]) if values else ""
            if name == "begin_task":
                argument = TASK
            if name.startswith("consent_"):
                argument = name.removeprefix("consent_")
            callback = f"{turn}:{action}" + (f":{argument}" if argument else "")
            data.setdefault(callback, payload)
        return Keyboard(turn, tuple(data)), data
    return None, {}


async def _converse(
    client: httpx.AsyncClient, url: str, walker: Walker, latency: list[float]
) -> bool:
    """One participant's whole walk with the peer; True when it reached the end of the guide."""
    sender = f"p{walker.chat_id}"
    action: Action | None = walker.first()
    payloads: dict[str, str] = {}
    turn = 0
    while action is not None:
        if isinstance(action, Press):
            message = payloads[action.data]
        elif isinstance(action, Command):
            message = "/start" if action.name == "start" else "/show_tasks"
        else:
            assert isinstance(action, Type)
            message = action.text
        started = time.perf_counter()
        answer = await client.post(url, json={"sender": sender, "message": message})
        latency.append(time.perf_counter() - started)
        answer.raise_for_status()
        turn += 1
        keyboard, payloads = _keyboard(answer.json(), turn)
        action = walker.next(keyboard)
    return walker.finished


def digid_walkers(count: int, first_chat: int, seed: int = 9) -> list[Walker]:
    texts = free_texts()
    return [
        Walker.make(index, first_chat + index, ["nl"], [TASK], texts, seed)
        for index in range(count)
    ]


async def ours(conversations: int) -> dict[str, Any]:
    """Our assistant, the same walks through the Telegram adapter in process, on SQLite."""
    from bench.databases import fresh_sqlite
    from bench.stats import cpu_seconds
    from bench.turns import START, Harness, walk_all
    from bot.app import build_app
    from bot.clock import FixedClock
    from bot.settings import Settings

    with fresh_sqlite() as url:
        clock = FixedClock(START)
        app = await build_app(Settings(database_url=url, log_level="WARNING"), clock=clock)
        try:
            async with Harness(app, clock) as harness:
                await walk_all(harness, digid_walkers(WARMUP, 3_000_000, seed=4))
                harness.reset_timings()
                walkers = digid_walkers(conversations, 3_100_000)
                before = cpu_seconds()
                for walker in walkers:  # one conversation after the other, as with the peer
                    await walk_all(harness, [walker])
                cpu = cpu_seconds() - before
                return {
                    "total": list(harness.timings.total),
                    "own": list(harness.timings.own),
                    "cpu_seconds": cpu,
                    "rss_mb": rss_mb(os.getpid()),
                    "peak_rss_mb": rss_mb(os.getpid(), "VmHWM"),
                    "lost": sum(not w.finished for w in walkers),
                    "errors": harness.errors,
                }
        finally:
            await app.close()


def ours_in_own_process(conversations: int) -> dict[str, Any]:
    """`ours` in a fresh Python process: its peak memory is then our assistant's alone, not
    the benchmark's (which has filled databases and run other sections by now)."""
    answer = subprocess.run(
        [sys.executable, "-m", "bench.peer", "--ours", str(conversations)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=1800,
    )
    if answer.returncode != 0:
        tail = answer.stderr.decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"our side of the peer benchmark failed ({answer.returncode}):\n{tail}")
    figures: dict[str, Any] = json.loads(answer.stdout.decode().strip().splitlines()[-1])
    return figures


async def _http_floor(client: httpx.AsyncClient, base: str, rounds: int = 200) -> list[float]:
    """Round trips to the peer's `GET /` (Sanic answers it without any dialogue work): how much
    of a webhook turn's latency is loopback HTTP and the web framework."""
    floor = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = await client.get(base + "/")
        floor.append(time.perf_counter() - started)
        answer.raise_for_status()
    return floor


async def run(python: Path, conversations: int, say: Any = print) -> PeerFigures:
    from bot.language.rasa_runtime import free_port, stop

    model = trained_model(python, say)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = base + "/webhooks/rest/webhook"
    started = time.perf_counter()
    process = _serve(python, model, port)
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            await _wait_ready(client, url, process, timeout=300)
            ready = time.perf_counter() - started
            warmup: list[float] = []
            for walker in digid_walkers(WARMUP, 2_000_000, seed=4):
                await _converse(client, url, walker, warmup)
            latency: list[float] = []
            cpu_before = process_cpu_seconds(process.pid)
            finished = [
                await _converse(client, url, walker, latency)
                for walker in digid_walkers(conversations, 2_100_000)
            ]
            peer_cpu = process_cpu_seconds(process.pid) - cpu_before
            peer_rss = tree_rss_mb(process.pid)
            peer_peak = tree_rss_mb(process.pid, "VmHWM")
            floor = await _http_floor(client, base)
    finally:
        stop(process)
    say(f"peer: our assistant, the same {conversations} conversations ...")
    mine = ours_in_own_process(conversations)
    return PeerFigures(
        conversations=conversations,
        peer_latency=latency,
        peer_cpu_seconds=peer_cpu,
        peer_rss_mb=peer_rss,
        peer_peak_rss_mb=peer_peak,
        peer_ready_seconds=ready,
        peer_http_floor=floor,
        ours_total=mine["total"],
        ours_own=mine["own"],
        ours_cpu_seconds=mine["cpu_seconds"],
        ours_rss_mb=mine["rss_mb"],
        ours_peak_rss_mb=mine["peak_rss_mb"],
        peer_lost=sum(not f for f in finished),
        ours_lost=mine["lost"],
        ours_errors=mine["errors"],
    )


def main(argv: list[str]) -> int:
    """`python -m bench.peer --ours N`: our side, one JSON line on stdout."""
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    if len(argv) != 2 or argv[0] != "--ours":
        print("usage: python -m bench.peer --ours CONVERSATIONS", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(ours(int(argv[1])))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
