"""Every content file validates, and a broken file fails start-up with file, field and reason."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.content.check import check, elfproef, looks_like_bsn
from bot.content.errors import ContentErrors
from bot.content.loader import load_content
from bot.language.catalog import Catalogue

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def broken_root(tmp_path: Path) -> Path:
    """A copy of the real content that a test may break."""
    for folder in ("knowledge", "dialogues", "locales"):
        shutil.copytree(
            REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.json", "nlu")
        )
    return tmp_path


def test_all_content_validates(content_root: Path) -> None:
    content = load_content(content_root)
    assert {"digid-aanvragen", "digid-app-activeren", "zorgtoeslag"} <= set(content.tasks)
    assert len(content.language_codes) == 8
    for task in content.tasks.values():
        assert task.steps, task.id
        assert all(step.check for step in task.steps), task.id


def test_every_message_key_used_in_code_exists(content_root: Path) -> None:
    """Python refers to messages by key; a typo'd key would crash a participant's turn."""
    import re

    content = load_content(content_root)
    catalogue = Catalogue.load(content)
    used = set()
    for path in (REPO / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:say|button|t)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", source))
    missing = sorted(key for key in used if not catalogue.has(key))
    assert not missing, f"message keys used in code but missing in dialogues/messages: {missing}"


def test_a_broken_task_names_file_field_and_problem(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "tasks" / "zorgtoeslag.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digid_level"] = "super"
    del data["steps"][0]["check"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        load_content(broken_root)
    messages = [str(e) for e in raised.value.errors]
    assert any("zorgtoeslag.yml" in m and "digid_level" in m for m in messages), messages
    assert any(
        "zorgtoeslag.yml" in m and "steps.0.check" in m and "Field required" in m for m in messages
    )


def test_invalid_yaml_names_the_line(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "glossary.yml"
    path.write_text("terms:\n  - {id: x, term: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        load_content(broken_root)
    assert "glossary.yml" in str(raised.value) and "line" in str(raised.value)


def test_unknown_references_are_reported(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "tasks" / "digid-app-activeren.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["prerequisites"] = ["no-such-task"]
    data["steps"][0]["terms"] = ["no-such-term"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentErrors) as raised:
        load_content(broken_root)
    text = str(raised.value)
    assert "unknown task 'no-such-task'" in text
    assert "unknown glossary term 'no-such-term'" in text


def test_check_refuses_lookalike_sites_bsns_and_broken_placeholders(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "tasks" / "zorgtoeslag.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["official_urls"] = ["https://www.zorgtoeslag.nl"]
    data["steps"][0]["text"] = (
        "Vul dit nummer in: 123456782. Kijk op http://www.belastingdienst.nl."
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    findings = [str(f) for f in check(broken_root, dt.date(2026, 11, 25))]
    assert any("paid lookalike" in f for f in findings), findings
    assert any("is not https" in f for f in findings)
    assert any("BSN elfproef" in f for f in findings)


def test_check_warns_about_long_sentences_and_old_guides(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "tasks" / "zorgtoeslag.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["steps"][0]["more"] = " ".join(["woord"] * 25) + "."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    findings = check(broken_root, dt.date(2030, 1, 1))
    warnings = [str(f) for f in findings if f.severity == "warning"]
    assert any("25 words" in w for w in warnings), warnings
    assert any("past its review-by date" in w for w in warnings)


def test_content_check_command_exits_1_with_readable_errors(broken_root: Path) -> None:
    path = broken_root / "knowledge" / "tasks" / "zorgtoeslag.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("id: zorgtoeslag", "id: 12 3"), encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        env={**os.environ, "WEGWIJS_CONTENT_DIR": str(broken_root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "zorgtoeslag.yml" in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_elfproef() -> None:
    assert elfproef("123456782")
    assert not elfproef("123456781")
    assert not elfproef("000000000")
    assert looks_like_bsn("mijn nummer is 1234.56.782")
    assert not looks_like_bsn("bel 088 123 65 55")


def test_check_validates_the_booking_policy_and_safety_files(broken_root: Path) -> None:
    (broken_root / "dialogues" / "appointments.yml").write_text("booking: {slots_per_page: many}\n")
    (broken_root / "knowledge" / "safety" / "secret_words.yml").write_text("- not: [a, mapping\n")
    findings = [str(f) for f in check(broken_root, dt.date(2026, 11, 25))]
    assert any("appointments.yml" in f for f in findings), findings
    assert any("secret_words.yml" in f for f in findings), findings
