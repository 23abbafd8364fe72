"""`wegwijs bench [--json] [--quick]`: every benchmark, a table on stdout (or one JSON object).

Sections: turns (in process, SQLite and PostgreSQL), e2e (loopback Bot API server, polling and
webhook), scale (empty vs. 100,000 participants), startup, nlu (built-in and Rasa), peer (a
Rasa-only assistant on the same guide). `--only` picks sections. `--quick` is the CI size: small
numbers, no Rasa, under a minute; it measures but nothing is asserted, so a slow machine never
fails it (only an exception does).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.stats import machine, spread

SECTIONS = ("turns", "e2e", "scale", "startup", "nlu", "peer")


@dataclass(frozen=True)
class Sizes:
    participants: int
    repeat: int
    e2e_participants: int
    e2e_turns: int
    scale_participants: int
    scale_walkers: int
    startup_runs: int
    nlu_rounds: int
    peer_conversations: int

    @classmethod
    def full(cls) -> Sizes:
        return cls(1000, 3, 50, 20, 100_000, 300, 5, 3, 30)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(40, 1, 8, 6, 1_000, 15, 1, 1, 0)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _turns(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench.databases import fresh_postgres, fresh_sqlite
    from bench.turns import measure

    result: dict[str, Any] = {}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and pg is None:
            result[kind] = {"skipped": args.postgres_problem}
            continue
        runs = []
        for repeat in range(sizes.repeat):
            _say(f"turns: {kind}, run {repeat + 1} of {sizes.repeat} ...")
            if kind == "sqlite":
                with fresh_sqlite() as url:
                    figures = await measure(url, sizes.participants, label=kind)
            else:
                assert pg is not None
                async with fresh_postgres(pg) as url:
                    figures = await measure(url, sizes.participants, label=kind)
            runs.append(figures.as_json())
        result[kind] = _combine(runs)
    return result


def _combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run's figures, and the spread of the main ones over the runs."""
    ordered = sorted(runs, key=lambda run: run["own"]["p50_ms"])
    middle = dict(ordered[len(ordered) // 2])
    middle["runs"] = len(runs)
    middle["spread"] = {
        "own_p50_ms": spread([run["own"]["p50_ms"] for run in runs]),
        "own_p95_ms": spread([run["own"]["p95_ms"] for run in runs]),
        "total_p50_ms": spread([run["total"]["p50_ms"] for run in runs]),
        "turns_per_cpu_second": spread([run["turns_per_cpu_second"] for run in runs]),
        "peak_rss_mb": spread([run["peak_rss_mb"] for run in runs]),
    }
    return middle


async def _e2e(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench import e2e
    from bench.databases import fresh_sqlite

    result: dict[str, Any] = {}
    for mode in ("polling", "webhook"):
        _say(f"e2e: {mode}, {sizes.e2e_participants} participants x {sizes.e2e_turns} turns ...")
        with fresh_sqlite() as url:
            figures = await e2e.run(
                mode, url, participants=sizes.e2e_participants, turns_each=sizes.e2e_turns
            )
        result[mode] = figures.as_json()
    return result


async def _scale(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench import scale

    size = scale.Size(participants=sizes.scale_participants)
    result: dict[str, Any] = {}
    for kind in ("sqlite", "postgresql"):
        if kind == "postgresql" and pg is None:
            result[kind] = {"skipped": args.postgres_problem}
            continue
        _say(f"scale: {kind}, {size.participants} participants, {size.progress} progress rows ...")
        figures = await scale.run(kind, size, sizes.scale_walkers, pg or "")
        result[kind] = figures.as_json()
    return result


async def _startup(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench import startup

    _say(f"startup: {sizes.startup_runs} x 2 process starts ...")
    with tempfile.TemporaryDirectory(prefix="wegwijs-bench-start-") as folder:
        figures = await startup.measure(Path(folder), sizes.startup_runs)
    return figures.as_json()


async def _nlu(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench import nlu

    _say("nlu: built-in interpreter ...")
    result: dict[str, Any] = {"builtin": (await nlu.builtin(sizes.nlu_rounds)).as_json()}
    if args.no_rasa or args.quick:
        result["rasa"] = {"skipped": "--quick or --no-rasa"}
        return result
    _say("nlu: Rasa (starting the server takes a while) ...")
    rasa = await nlu.rasa()
    result["rasa"] = {"skipped": rasa} if isinstance(rasa, str) else rasa.as_json()
    return result


async def _peer(args: argparse.Namespace, sizes: Sizes, pg: str | None) -> dict[str, Any]:
    from bench import nlu, peer

    if args.no_rasa or args.quick or sizes.peer_conversations == 0:
        return {"skipped": "--quick or --no-rasa"}
    python = nlu.rasa_installed()
    if python is None:
        return {"skipped": "Rasa environment not installed (wegwijs nlu install)"}
    _say(f"peer: {sizes.peer_conversations} DigiD conversations with a Rasa-only assistant ...")
    figures = await peer.run(python, sizes.peer_conversations, say=_say)
    return figures.as_json()


RUNNERS: dict[str, Callable[[argparse.Namespace, Sizes, str | None], Any]] = {
    "turns": _turns,
    "e2e": _e2e,
    "scale": _scale,
    "startup": _startup,
    "nlu": _nlu,
    "peer": _peer,
}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.databases import postgres_problem, postgres_url

    sizes = Sizes.quick() if args.quick else Sizes.full()
    if args.participants:
        sizes = Sizes(**{**vars(sizes), "participants": args.participants})
    if args.repeat:
        sizes = Sizes(**{**vars(sizes), "repeat": args.repeat})
    pg: str | None = args.postgres_url or postgres_url()
    args.postgres_problem = None
    if args.no_postgres:
        args.postgres_problem = "--no-postgres"
    else:
        assert pg is not None
        args.postgres_problem = await postgres_problem(pg)
    if args.postgres_problem:
        pg = None
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": bool(args.quick),
        "sizes": vars(sizes),
        "machine": machine(),
    }
    begun = time.perf_counter()
    for section in args.only or SECTIONS:
        started = time.perf_counter()
        results[section] = await RUNNERS[section](args, sizes, pg)
        results[section]["seconds"] = round(time.perf_counter() - started, 1)
    results["seconds"] = round(time.perf_counter() - begun, 1)
    results["machine_after"] = {"load_average": machine()["load_average"]}
    return results


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wegwijs bench", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quick", action="store_true", help="CI size: under a minute, no Rasa")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--participants", type=int, help="simulated participants (turns)")
    parser.add_argument("--repeat", type=int, help="runs of the turn benchmark (median shown)")
    parser.add_argument(
        "--postgres-url",
        help="a database the benchmark may drop and create (default: $WEGWIJS_BENCH_POSTGRES_URL "
        "or postgresql+asyncpg://postgres@127.0.0.1:5432/wegwijs_bench)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-rasa", action="store_true", help="leave out Rasa and the peer")
    parser.add_argument("--out", type=Path, help="also write the JSON object to this file")


def main(args: argparse.Namespace) -> int:
    # The bot's own INFO lines (migrations, chosen interpreter) would drown the table.
    logging.getLogger().setLevel(logging.WARNING)
    results = asyncio.run(run(args))
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else report.table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(parser().parse_args()))
