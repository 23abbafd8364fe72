"""The event loop of the long-running processes (`serve`, its workers, `telegram`).

uvloop when it is installed (a dependency; measured in `wegwijs bench --only e2e`: about 5-10%
less CPU per Telegram update than asyncio's own loop), asyncio's loop otherwise or when
EVENT_LOOP=asyncio says so. Short commands (migrations, users, content) keep asyncio.run.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")
ENV_SWITCH = "EVENT_LOOP"


def loop_name() -> Literal["uvloop", "asyncio"]:
    """The loop to run: "uvloop" unless EVENT_LOOP=asyncio or uvloop is not installed."""
    wanted = os.environ.get(ENV_SWITCH, "").strip().lower()
    if wanted == "asyncio" or importlib.util.find_spec("uvloop") is None:
        return "asyncio"
    return "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the chosen loop."""
    if loop_name() == "uvloop":
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)
