"""Finds the folder that holds knowledge/, dialogues/ and locales/, wherever the command runs."""

from __future__ import annotations

import os
from pathlib import Path

_MARKERS = ("knowledge", "dialogues", "locales")


def content_root() -> Path:
    """The content root: $WEGWIJS_CONTENT_DIR, else the checkout or image this package lives in.

    Looking next to the package (not in the working directory) is what lets `wegwijs` run from
    any folder; the environment variable is for installs that keep content elsewhere.
    """
    configured = os.environ.get("WEGWIJS_CONTENT_DIR")
    if configured:
        return Path(configured).resolve()
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if all((candidate / marker).is_dir() for marker in _MARKERS):
            return candidate
    cwd = Path.cwd()
    for candidate in (cwd, *cwd.parents):
        if all((candidate / marker).is_dir() for marker in _MARKERS):
            return candidate
    raise FileNotFoundError(
        "Cannot find the Wegwijs content (knowledge/, dialogues/, locales/). "
        "Set WEGWIJS_CONTENT_DIR to the folder that holds them."
    )
