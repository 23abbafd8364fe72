"""A simulated participant: walks one complete task guide with buttons and some typed text.

Pure decisions, no I/O: given the buttons the bot showed last, say what to do next. The in-process
benchmark and the end-to-end benchmark drive the same walker, so both measure the same kind of
conversation: /start, the language, consent, the task list, a task, every step ("done"), one
"didn't work", a glossary button, sometimes "I'm stuck" (the offer, then "try again"), one or two
typed sentences in the participant's language (a "yes, it worked" or a "what is ...?", taken from
the held-out NLU examples), and sometimes "my tasks" at the end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.conversation.callbacks import decode

ROOT = Path(__file__).resolve().parents[1]
MAX_TURNS = 60
"""A walker that has not finished after this many turns gives up (counted as lost)."""


@dataclass(frozen=True)
class Press:
    message_id: int
    data: str


@dataclass(frozen=True)
class Type:
    text: str


@dataclass(frozen=True)
class Command:
    name: str


Action = Press | Type | Command


@dataclass(frozen=True)
class Keyboard:
    """The newest bot message with choice buttons, as the participant sees it."""

    message_id: int
    data: tuple[str, ...]

    def find(self, action: str, argument: str | None = None) -> str | None:
        for data in self.data:
            callback = decode(data)
            if callback is None or callback.action != action:
                continue
            if argument is None or callback.argument == argument:
                return data
        return None


def free_texts(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """lang -> intent -> held-out sentences, for the intents a walker types on a step."""
    texts: dict[str, dict[str, list[str]]] = {}
    for path in sorted((root / "dialogues" / "nlu" / "test").glob("*.yml")):
        document = yaml.safe_load(path.read_text("utf-8")) or {}
        for block in document.get("nlu") or []:
            intent = block.get("intent")
            if intent not in ("affirm", "what_is"):
                continue
            lines = [
                line.strip()[2:].strip()
                for line in str(block.get("examples", "")).splitlines()
                if line.strip().startswith("- ")
            ]
            # Entity markup ([DigiD](term)) is Rasa's annotation, not what people type.
            cleaned = [_plain(line) for line in lines]
            texts.setdefault(path.stem, {})[intent] = [t for t in cleaned if t]
    return texts


def _plain(annotated: str) -> str:
    from bot.language.nlu_eval import strip_annotations

    return strip_annotations(annotated)[0]


@dataclass
class Walker:
    """One participant. `lang` is the language they choose (and their Telegram app's)."""

    chat_id: int
    lang: str
    task_id: str
    rng: random.Random
    texts: dict[str, list[str]]
    turns: int = 0
    step_views: int = 0
    finished: bool = False
    lost: bool = False
    plan: dict[int, str] = field(default_factory=dict)

    @classmethod
    def make(
        cls,
        index: int,
        chat_id: int,
        languages: list[str],
        tasks: list[str],
        texts: dict[str, dict[str, list[str]]],
        seed: int = 9,
    ) -> Walker:
        rng = random.Random(seed * 1_000_003 + index)
        lang = languages[index % len(languages)]
        walker = cls(chat_id, lang, tasks[index % len(tasks)], rng, texts.get(lang, {}))
        walker._plan()
        return walker

    def another(self, task_id: str) -> Walker:
        """The same participant, walking another task guide next."""
        walker = Walker(self.chat_id, self.lang, task_id, self.rng, self.texts)
        walker._plan()
        return walker

    def _plan(self) -> None:
        # Which step views get something else than "done" (a step can be seen more than once).
        events = ["failed", "term", "text"]
        if self.rng.random() < 0.5:
            events.append("text")
        if self.rng.random() < 0.3:
            events.append("stuck")
        for event in events:
            self.plan.setdefault(self.rng.randrange(1, 6), event)

    def first(self) -> Action:
        self.turns = 1
        return Command("start")

    def next(self, keyboard: Keyboard | None) -> Action | None:
        """What to do after the bot answered; None when the walk is over."""
        if self.finished or self.lost:
            return None
        if self.turns >= MAX_TURNS:
            self.lost = True
            return None
        self.turns += 1
        action = self._decide(keyboard)
        if action is None:
            self.turns -= 1
        return action

    def _decide(self, keyboard: Keyboard | None) -> Action | None:
        if keyboard is None:
            return Command("tasks")

        def press(data: str) -> Press:
            return Press(keyboard.message_id, data)

        if (data := keyboard.find("lang", self.lang)) is not None:
            return press(data)
        if (data := keyboard.find("consent", "yes")) is not None:
            return press(data)
        if keyboard.find("done") is not None:
            return self._on_step(keyboard)
        if (data := keyboard.find("start", self.task_id)) is not None:
            return press(data)
        if (data := keyboard.find("retry")) is not None:
            return press(data)
        if self._is_finish(keyboard):
            self.finished = True
            if self.rng.random() < 0.3 and (data := keyboard.find("overview")) is not None:
                return press(data)
            return None
        if (data := keyboard.find("task", self.task_id)) is not None:
            return press(data)
        if (data := keyboard.find("tasks")) is not None:
            return press(data)
        return Command("tasks")

    def _is_finish(self, keyboard: Keyboard) -> bool:
        # The "well done" message: "my tasks" and "menu", but no task list, no step buttons.
        return (
            self.step_views > 0
            and keyboard.find("overview") is not None
            and keyboard.find("menu") is not None
            and keyboard.find("tasks") is None
            and len(keyboard.data) <= 5
        )

    def _on_step(self, keyboard: Keyboard) -> Action:
        self.step_views += 1
        event = self.plan.pop(self.step_views, None)
        if event == "failed" and (data := keyboard.find("failed")) is not None:
            return Press(keyboard.message_id, data)
        if event == "stuck" and (data := keyboard.find("stuck")) is not None:
            return Press(keyboard.message_id, data)
        if event == "term" and (data := keyboard.find("term")) is not None:
            return Press(keyboard.message_id, data)
        if event == "text":
            intent = "affirm" if self.rng.random() < 0.5 else "what_is"
            choices = self.texts.get(intent) or self.texts.get("affirm")
            if choices:
                return Type(self.rng.choice(choices))
        data = keyboard.find("done")
        assert data is not None
        return Press(keyboard.message_id, data)
