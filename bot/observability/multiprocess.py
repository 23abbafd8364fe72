"""The folder where each worker process keeps its metric values (prometheus_client's multiprocess
mode). Apart from bot.observability.metrics so it can be prepared before any metric exists."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    folder = os.environ.get(MULTIPROC_ENV) or os.environ.get(MULTIPROC_ENV.lower())
    return Path(folder) if folder else None


def prepare(folder: Path) -> None:
    """Empty the folder (values of an earlier run would be added in) and set the variable.

    Call it before bot.observability.metrics is imported in this process and before any worker
    starts: workers inherit the variable."""
    if folder.exists():
        for child in folder.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
