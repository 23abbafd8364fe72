"""`wegwijs bench [--json] [--quick]`: the benchmarks of bench/ (results: docs/performance.md).

The benchmarks live beside the package in the checkout (bench/, with the Rasa-only peer under
bench/peers/), not inside it: they drive the bot from the outside, so this command only finds
them and hands over.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.settings import Settings

CHECKOUT = Path(__file__).resolve().parents[2]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = sub.add_parser(
        "bench", help="measure turn cost, end to end, scale, start-up, NLU and a Rasa-only peer"
    )
    if _importable():
        from bench.run import add_arguments

        add_arguments(bench)
    bench.set_defaults(handler=run_bench)


def _importable() -> bool:
    """bench/ importable, also when `wegwijs` is started from another directory."""
    if not (CHECKOUT / "bench" / "run.py").is_file():
        return False
    if str(CHECKOUT) not in sys.path:
        sys.path.append(str(CHECKOUT))
    return True


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    if not _importable():
        print(f"no bench/ in {CHECKOUT}: `wegwijs bench` runs from a checkout.", file=sys.stderr)
        return 2
    from bench.run import main

    return main(args)
