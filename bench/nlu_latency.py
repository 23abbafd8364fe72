"""Parse latency of the interpreters on the held-out NLU examples (p50/p95/p99 per interpreter).

    .venv/bin/python -m bench.nlu_latency                       # built-in interpreter only
    .venv/bin/python -m bench.nlu_latency --url http://127.0.0.1:5005 --rounds 3

Every held-out example is parsed `--rounds` times, one after the other, with the participant's
language, after one untimed warm-up round. The built-in interpreter is timed around
`parse_now` (pure CPU, in this process); Rasa around one `POST /model/parse` over loopback HTTP
with a kept-alive connection, as `RasaInterpreter` does in a turn.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from bot.app import load_everything
from bot.language.nlu_eval import load_examples
from bot.language.rasa import RasaInterpreter
from bot.language.select import builtin_interpreter

ROOT = Path(__file__).resolve().parents[1]


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

    return f"p50 {at(0.5):.3f} ms  p95 {at(0.95):.3f} ms  p99 {at(0.99):.3f} ms  (n={len(ordered)})"


async def _main(args: argparse.Namespace) -> None:
    content, catalogue, _ = load_everything()
    started = time.perf_counter()
    builtin = builtin_interpreter(content, catalogue)
    print(f"built-in interpreter built in {(time.perf_counter() - started) * 1000:.0f} ms")
    examples = [
        (example.text, path.stem)
        for path in sorted((ROOT / "dialogues" / "nlu" / "test").glob("*.yml"))
        for example in load_examples(path)
    ]
    for text, lang in examples:
        builtin.parse_now(text, lang)
    timings = []
    for _ in range(args.rounds):
        for text, lang in examples:
            begin = time.perf_counter()
            builtin.parse_now(text, lang)
            timings.append(time.perf_counter() - begin)
    print(f"builtin  {_percentiles(timings)}")
    if not args.url:
        return
    rasa = RasaInterpreter(args.url, entities=builtin.entities, timeout=10.0)
    try:
        for text, lang in examples:
            await rasa.ask(text, lang)
        timings = []
        for _ in range(args.rounds):
            for text, lang in examples:
                begin = time.perf_counter()
                if await rasa.ask(text, lang) is None:
                    raise SystemExit(f"Rasa at {args.url} did not answer")
                timings.append(time.perf_counter() - begin)
        print(f"rasa     {_percentiles(timings)}")
    finally:
        await rasa.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu_latency")
    parser.add_argument("--url", help="also time this Rasa server")
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
