"""Loads knowledge/ and dialogues/ into one validated, immutable Content object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.appointments.schema import LibraryDirectory, load_libraries
from bot.content import keys
from bot.content.errors import ContentError, ContentErrors
from bot.content.schema import Dialogues, Glossary, GlossaryTerm, Languages, Task

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Content:
    root: Path
    tasks: Mapping[str, Task]
    glossary: Mapping[str, GlossaryTerm]
    languages: Languages
    dialogues: Dialogues
    messages: Mapping[str, str]
    """Key -> Dutch source of every system message (dialogues/messages/*.yml)."""
    extras: Mapping[str, Any] = field(default_factory=dict)
    """Content owned by other parts (libraries, safety words), loaded by their own loaders."""

    def source_texts(self) -> dict[str, str]:
        """Every translatable text: key -> Dutch source, in a stable order."""
        texts: dict[str, str] = dict(self.messages)
        for task in self.tasks.values():
            texts.update(keys.task_texts(task))
        for term in self.glossary.values():
            texts.update(keys.glossary_texts(term))
        return texts

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages.languages)

    @property
    def libraries(self) -> LibraryDirectory:
        directory: LibraryDirectory = self.extras["libraries"]
        return directory


ExtraLoader = Callable[[Path], Any]
_extra_loaders: dict[str, tuple[str, ExtraLoader]] = {
    "libraries": ("knowledge/libraries.yml", load_libraries),
}


def register_extra(name: str, relative_path: str, loader: ExtraLoader) -> None:
    """Lets another part (e.g. appointments) validate its own content file at start-up."""
    _extra_loaders[name] = (relative_path, loader)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise ContentError(path, "", "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ContentError(path, where, f"not valid YAML: {problem}") from None


def parse(path: Path, model: type[M], data: Any | None = None) -> M:
    raw = read_yaml(path) if data is None else data
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ContentError.from_validation(path, error) from None


def load_content(root: Path) -> Content:
    """Read and validate everything; collect all problems before failing, so one run shows them."""
    errors: list[ContentError] = []

    def attempt(fn: Callable[[], M]) -> M | None:
        try:
            return fn()
        except ContentErrors as many:
            errors.extend(many.errors)
        except ContentError as one:
            errors.append(one)
        return None

    tasks: dict[str, Task] = {}
    for path in sorted((root / "knowledge" / "tasks").glob("*.yml")):
        task = attempt(lambda path=path: parse(path, Task))  # type: ignore[misc]
        if task is None:
            continue
        if task.id != path.stem:
            errors.append(ContentError(path, "id", f"must equal the file name ({path.stem!r})"))
        tasks[task.id] = task

    glossary = attempt(lambda: parse(root / "knowledge" / "glossary.yml", Glossary))
    languages = attempt(lambda: parse(root / "dialogues" / "languages.yml", Languages))
    dialogues = attempt(lambda: parse(root / "dialogues" / "flows.yml", Dialogues))
    messages = _load_messages(root / "dialogues" / "messages", errors)

    extras: dict[str, Any] = {}
    for name, (relative, loader) in _extra_loaders.items():
        value = attempt(lambda relative=relative, loader=loader: loader(root / relative))  # type: ignore[misc]
        if value is not None:
            extras[name] = value

    if glossary is None or languages is None or dialogues is None or errors:
        raise ContentErrors(errors)

    terms = {term.id: term for term in glossary.terms}
    errors.extend(_cross_check(root, tasks, terms, dialogues, messages))
    if errors:
        raise ContentErrors(errors)

    ordered = dict(sorted(tasks.items(), key=lambda item: (item[1].order, item[1].title)))
    return Content(
        root=root,
        tasks=ordered,
        glossary=terms,
        languages=languages,
        dialogues=dialogues,
        messages=messages,
        extras=extras,
    )


def _load_messages(folder: Path, errors: list[ContentError]) -> dict[str, str]:
    messages: dict[str, str] = {}
    origin: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = read_yaml(path)
        except ContentError as error:
            errors.append(error)
            continue
        if not isinstance(data, dict):
            errors.append(ContentError(path, "", "must be a mapping of message key to Dutch text"))
            continue
        for key, text in data.items():
            if not isinstance(key, str) or key.count(".") < 1:
                errors.append(ContentError(path, str(key), "key must look like 'area.name'"))
            elif not isinstance(text, str) or not text.strip():
                errors.append(ContentError(path, key, "text must be a non-empty string"))
            elif key in messages:
                errors.append(ContentError(path, key, f"also defined in {origin[key].name}"))
            else:
                messages[key] = text.strip()
                origin[key] = path
    if not messages:
        errors.append(ContentError(folder, "", "no message files found"))
    return messages


def _cross_check(
    root: Path,
    tasks: Mapping[str, Task],
    terms: Mapping[str, GlossaryTerm],
    dialogues: Dialogues,
    messages: Mapping[str, str],
) -> list[ContentError]:
    errors: list[ContentError] = []
    for task in tasks.values():
        path = root / "knowledge" / "tasks" / f"{task.id}.yml"
        for prerequisite in task.prerequisites:
            if prerequisite not in tasks:
                errors.append(ContentError(path, "prerequisites", f"unknown task {prerequisite!r}"))
        for index, step in enumerate(task.steps):
            for term in step.terms:
                if term not in terms:
                    field = f"steps.{index}.terms"
                    errors.append(ContentError(path, field, f"unknown glossary term {term!r}"))
    flows = root / "dialogues" / "flows.yml"
    for name, menu in dialogues.menus.items():
        for key in (menu.text, *(item.label for item in menu.items)):
            if key not in messages:
                errors.append(ContentError(flows, f"menus.{name}", f"unknown message {key!r}"))
    for row in dialogues.guided_task.step_buttons:
        for button in row:
            if button.label not in messages:
                errors.append(
                    ContentError(flows, "guided_task", f"unknown message {button.label!r}")
                )
    return errors
