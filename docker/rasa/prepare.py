"""Writes the Rasa training input the way `wegwijs nlu train` prepares it (bot.language.rasa_runtime):
the training files without the held-out test/ split, and config.yml with OOV_words filled in.

    python docker/rasa/prepare.py OUT        (run from the repository root)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from bot.language.rasa_runtime import training_config, training_files


def main(out: Path) -> None:
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for source in training_files():
        shutil.copy2(source, data / source.name)
    config = yaml.safe_dump(training_config(), allow_unicode=True)
    (out / "config.yml").write_text(config, "utf-8")
    print(f"{len(list(data.iterdir()))} training files and config.yml in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
