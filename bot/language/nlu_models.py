"""Trained Rasa models kept in a cache folder, one per version of the training data and config.

Training takes minutes; the same data and config give the same model (fixed seed), so a model is
trained once and found again by a hash of everything that goes into it: the Rasa lock file, the
pipeline as Rasa gets it, and every training file. CI and `wegwijs nlu serve` reuse it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bot.language import rasa_runtime

KEEP = 2
"""Models kept in the cache (the newest); each is ~80 MB."""


def cache_root() -> Path:
    base = os.environ.get("WEGWIJS_CACHE_DIR") or str(Path.home() / ".cache" / "wegwijs")
    return Path(base) / "nlu-models"


def model_digest(root: Path | None = None) -> str:
    """16 hex digits that change whenever the model would come out differently."""
    digest = hashlib.sha256()
    digest.update(rasa_runtime.RASA_VERSION.encode())
    lock = rasa_runtime.nlu_dir(root) / f"rasa-{rasa_runtime.RASA_VERSION}-py311-lock.txt"
    if lock.is_file():
        digest.update(lock.read_bytes())
    # The pipeline as Rasa gets it: config.yml plus what rasa_runtime derives from the data.
    config = rasa_runtime.training_config(root)
    digest.update(json.dumps(config, sort_keys=True, ensure_ascii=False).encode())
    for path in rasa_runtime.training_files(root):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_model(
    root: Path | None = None,
    *,
    python: Path | None = None,
    force: bool = False,
    say: Callable[[str], None] = lambda message: None,
) -> Path:
    """The model for the current data: from the cache, or trained into it (once, under a lock)."""
    digest = model_digest(root)
    folder = cache_root() / digest
    model = folder / f"{rasa_runtime.MODEL_NAME}.tar.gz"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f"{digest}.lock").open("w") as lock:
        # Two test runs at once: the second waits for the first's model instead of training too.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if model.is_file() and not force:
            say(f"using the cached model {model}")
            return model
        say(f"training the NLU model into {folder} (takes minutes) ...")
        started = time.monotonic()
        scratch = folder.with_name(f"{digest}.partial")
        shutil.rmtree(scratch, ignore_errors=True)
        trained = rasa_runtime.train(scratch, python=python, root=root)
        shutil.rmtree(folder, ignore_errors=True)
        scratch.rename(folder)
        say(f"trained in {time.monotonic() - started:.0f} s")
        _prune(folder)
        return folder / trained.name


def _prune(keep: Path) -> None:
    models = sorted(
        (p for p in keep.parent.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in models[KEEP:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
            old.with_name(f"{old.name}.lock").unlink(missing_ok=True)
