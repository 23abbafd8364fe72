"""`wegwijs content draft --lang xx`: machine drafts for missing entries, always marked fuzzy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.cli import main
from bot.language.drafts import machine_drafts
from bot.language.translation_providers import Libre
from bot.language.translators import MachineTranslator
from tests.language.loopback import Loopback, Request, Response, serve
from tests.language.test_translators import libretranslate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the content to write drafts into; the checkout stays as it is."""
    root = tmp_path / "content"
    for folder in ("knowledge", "dialogues", "locales"):
        shutil.copytree(ROOT / folder, root / folder)
    monkeypatch.setenv("WEGWIJS_CONTENT_DIR", str(root))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cache.db'}")
    return root


@pytest.fixture
def libre(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loopback]:
    with serve(libretranslate) as server:
        monkeypatch.setenv("TRANSLATOR", "libre")
        monkeypatch.setenv("TRANSLATOR_URL", server.url)
        yield server


def forget(root: Path, lang: str, count: int) -> None:
    """Empty `count` translations, so the copy surely has that many missing entries."""
    path = root / "locales" / lang / "LC_MESSAGES" / "wegwijs.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    forgotten = 0
    for message in catalog:
        if message.id and message.context and message.string and forgotten < count:
            message.string = ""
            forgotten += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)


def missing(root: Path, lang: str) -> set[str]:
    with (root / "locales" / lang / "LC_MESSAGES" / "wegwijs.po").open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.context) for m in catalog if m.id and m.context and not m.string}


def drafts(root: Path, lang: str) -> dict[str, tuple[str, bool]]:
    with (root / "locales" / lang / "LC_MESSAGES" / "wegwijs.po").open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.context): (str(m.string), m.fuzzy) for m in catalog if m.context and m.string}


def test_missing_entries_get_fuzzy_machine_drafts(
    content_copy: Path, libre: Loopback, capsys: pytest.CaptureFixture[str]
) -> None:
    lang = "tr"
    forget(content_copy, lang, 6)
    before = missing(content_copy, lang)
    assert main(["content", "draft", "--lang", lang, "--limit", "6"]) == 0
    written = drafts(content_copy, lang)
    new = {key: value for key, value in written.items() if key in before}
    assert len(new) == 6
    assert all(text.startswith("<tr> ") and fuzzy for text, fuzzy in new.values())
    assert "6 entries written as drafts (fuzzy)" in capsys.readouterr().out
    # Placeholders went through unchanged (our fake service keeps them).
    assert all(text.count("{") == text.count("}") for text, _ in new.values())


def test_a_language_the_service_does_not_offer_gets_nothing(
    content_copy: Path, libre: Loopback, capsys: pytest.CaptureFixture[str]
) -> None:
    forget(content_copy, "so", 3)
    before = drafts(content_copy, "so")
    assert main(["content", "draft", "--lang", "so", "--limit", "3"]) == 0
    assert drafts(content_copy, "so") == before
    assert not libre.requests, "LibreTranslate has no Somali model: nothing is sent"
    assert "3 not translated" in capsys.readouterr().out


async def test_a_draft_that_loses_a_placeholder_is_left_out(libre: Loopback) -> None:
    def mangles_placeholders(request: Request) -> Response:
        body = request.json()
        return Response(200, {"translatedText": body["q"].replace("{", "(").replace("}", ")")})

    libre.answer(mangles_placeholders)
    translator = MachineTranslator(Libre(url=libre.url), redact=lambda text: text)
    sources = {
        "a": "Je afspraak is op {date}.",
        "b": "Tot ziens!",
        "c": "Eerste regel\n\nTweede regel",
    }
    result = await machine_drafts(sources, translator, "nl", "tr")
    await translator.aclose()
    assert result.broken == ["a"]
    assert result.texts == {"b": "Tot ziens!", "c": "Eerste regel\n\nTweede regel"}
    # Line by line, so the blank line between them is kept.
    assert [r.json()["q"] for r in libre.requests] == [
        "Je afspraak is op {date}.",
        "Tot ziens!",
        "Eerste regel",
        "Tweede regel",
    ]


def test_drafting_without_a_translator_says_so(
    content_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRANSLATOR", raising=False)
    before = drafts(content_copy, "tr")
    assert main(["content", "draft", "--lang", "tr"]) == 1
    assert drafts(content_copy, "tr") == before
    assert "machine translation is off" in capsys.readouterr().err
