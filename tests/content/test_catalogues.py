"""Translations: keyed by stable ids, drafts marked, outdated entries kept and reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.content.loader import load_content
from bot.language import po
from bot.language.bidi import FSI, PDI
from bot.language.catalog import Catalogue, read_entries
from bot.language.texts import Texts

REPO = Path(__file__).resolve().parents[2]


def _copy(tmp_path: Path) -> Path:
    for folder in ("knowledge", "dialogues", "locales"):
        shutil.copytree(
            REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.json", "nlu")
        )
    return tmp_path


def test_import_writes_drafts_and_a_dutch_edit_marks_them_outdated(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    content = load_content(root)
    written = po.import_translations(content, "tr", {"menu.text": "Ne yapmak istiyorsun?"})
    assert written == 1
    entries = read_entries(root / "locales/tr/LC_MESSAGES/wegwijs.po")
    assert entries["menu.text"].fuzzy, "team-written translations are drafts until reviewed"
    assert po.status(content)["tr"].fuzzy >= 1

    # Fix the Dutch source: the Turkish stays, but is reported as outdated.
    messages = root / "dialogues/messages/core.yml"
    data = yaml.safe_load(messages.read_text(encoding="utf-8"))
    data["menu.text"] = "Wat wil je nu doen?"
    messages.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    content = load_content(root)
    po.update(content)
    catalogue = Catalogue.load(content)
    assert catalogue.lookup("tr", "menu.text") == "Ne yapmak istiyorsun?"
    assert po.status(content)["tr"].outdated == 1
    assert "Wat wil je doen?" in (root / "locales/tr/LC_MESSAGES/wegwijs.po").read_text(
        encoding="utf-8"
    )


def test_missing_translation_falls_back_to_dutch(content_root: Path) -> None:
    content = load_content(content_root)
    catalogue = Catalogue(content.languages.source, content.source_texts(), {"so": {}})
    assert Texts(catalogue, "so", rtl=False)("menu.text") == content.messages["menu.text"]


def test_right_to_left_text_isolates_dutch_labels_and_numbers(content_root: Path) -> None:
    content = load_content(content_root)
    from bot.language.catalog import Entry

    catalogue = Catalogue(
        "nl",
        content.source_texts(),
        {"ar": {"step.label": Entry("على الموقع: „{label}” رقم 088", "x", True)}},
    )
    text = Texts(catalogue, "ar", rtl=True)("step.label", label="Inloggen met DigiD")
    assert f"{FSI}Inloggen met DigiD{PDI}" in text
    assert f"{FSI}088{PDI}" in text
    plain = Texts(catalogue, "nl", rtl=False)("step.label", label="Inloggen met DigiD")
    assert FSI not in plain


def test_outdated_marker_survives_later_imports_and_updates(tmp_path: Path) -> None:
    """Babel reads `#| msgid` back as a comment; the marker must still be there afterwards."""
    root = _copy(tmp_path)
    content = load_content(root)
    po.import_translations(content, "so", {"menu.text": "Maxaad rabtaa?", "nav.menu": "Menu"})
    messages = root / "dialogues/messages/core.yml"
    data = yaml.safe_load(messages.read_text(encoding="utf-8"))
    data["menu.text"] = "Wat wil je nu doen? " + "Een lange zin die Babel over regels breekt. " * 3
    messages.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    content = load_content(root)
    po.update(content)
    for _ in range(3):
        po.import_translations(content, "so", {"nav.menu": "Liiska"})
        po.update(content)
    path = root / "locales/so/LC_MESSAGES/wegwijs.po"
    assert po.previous_ids(path)["menu.text"] == "Wat wil je doen?"
    assert po.status(content)["so"].outdated == 1
    assert "menu.text" in po.export_missing(content, "so")
    assert "# | msgid" not in path.read_text(encoding="utf-8")


def _catalogue_files(root: Path) -> list[Path]:
    return [po.pot_path(root), *sorted((root / "locales").glob("*/LC_MESSAGES/wegwijs.po"))]


def _backdate(paths: list[Path]) -> None:
    """Give every catalogue an old creation date, so a rewrite with today's date would show."""
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lines = [
            '"POT-Creation-Date: 2000-01-01 00:00+0000\\n"'
            if line.startswith('"POT-Creation-Date: ')
            else line
            for line in text.split("\n")
        ]
        path.write_text("\n".join(lines), encoding="utf-8")


def test_an_update_with_nothing_new_leaves_every_catalogue_byte_for_byte(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    content = load_content(root)
    files = _catalogue_files(root)
    assert len(files) == len(content.language_codes)  # the template and one PO per translation
    po.update(content)  # brings the copy in step, whatever the working tree holds
    _backdate(files)
    before = {path: path.read_bytes() for path in files}
    assert all(b"2000-01-01" in data for data in before.values())

    po.update(content)
    po.import_translations(content, "tr", {})
    assert {path: path.read_bytes() for path in files} == before

    # A real change is still written, with a new date; the next update changes nothing again.
    messages = root / "dialogues/messages/core.yml"
    data = yaml.safe_load(messages.read_text(encoding="utf-8"))
    data["menu.text"] = "Wat wil je nu doen?"
    messages.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    content = load_content(root)
    po.update(content)
    changed = {path: path.read_bytes() for path in files}
    assert all(changed[path] != before[path] for path in files)
    assert b"Wat wil je nu doen?" in changed[po.pot_path(root)]
    po.update(content)
    assert {path: path.read_bytes() for path in files} == changed
