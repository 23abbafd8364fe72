"""`wegwijs content check`: the rules content must meet before it reaches a participant."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.content.errors import ContentError, ContentErrors
from bot.content.loader import Content, load_content, read_yaml
from bot.content.schema import placeholders
from bot.language.catalog import Entry, load_entries, po_path

MAX_B1_WORDS = 20
_URL = re.compile(r"https?://[^\s\"'<>)”]+")
_NINE_DIGITS = re.compile(r"(?<![\d])(\d(?:[ .\-]?\d){7,8})(?![\d])")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


def elfproef(digits: str) -> bool:
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or set(digits) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def looks_like_bsn(text: str) -> bool:
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) == 9 and elfproef(digits):
            return True
    return False


class Domains:
    def __init__(self, path: Path) -> None:
        data = read_yaml(path) or {}
        self.official = tuple(data.get("official", ()))
        self.blocked = tuple(data.get("blocked", ()))

    def problem(self, url: str) -> str | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            return f"{url} is not https"
        if any(host == d or host.endswith("." + d) for d in self.blocked):
            return f"{url} is a paid lookalike site, not the government"
        if not any(host == d or host.endswith("." + d) for d in self.official):
            return f"{url} is not on an official domain (knowledge/official_domains.yml)"
        return None


def check(root: Path, today: dt.date) -> list[Finding]:
    # Parts that own a content file register its loader when imported; import them so their
    # files are checked too, not only when the engine happens to have been loaded.
    import bot.appointments.policy  # noqa: F401

    safety = list(_safety_files(root))
    try:
        content = load_content(root)
    except ContentErrors as errors:
        found = [Finding("error", str(e.path), f"{e.field}: {e.message}") for e in errors.errors]
        return [*found, *safety]
    except ContentError as error:
        return [Finding("error", str(error.path), f"{error.field}: {error.message}"), *safety]
    return [*safety, *_rules(content, today)]


def _safety_files(root: Path) -> Iterator[Finding]:
    """The redaction trigger words and phishing patterns must load, or no turn can run."""
    from bot.privacy.phishing import PhishingDetector
    from bot.privacy.redact import Redactor

    knowledge = root / "knowledge"
    try:
        Redactor.from_file(knowledge / "safety" / "secret_words.yml")
    except Exception as error:  # whatever stops it loading stops every turn: report it
        yield Finding(
            "error", "knowledge/safety/secret_words.yml", f"{type(error).__name__}: {error}"
        )
    try:
        PhishingDetector.from_files(
            knowledge / "safety" / "phishing.yml", knowledge / "official_domains.yml"
        )
    except Exception as error:
        yield Finding("error", "knowledge/safety/phishing.yml", f"{type(error).__name__}: {error}")


def _rules(content: Content, today: dt.date) -> Iterator[Finding]:
    domains = Domains(content.root / "knowledge" / "official_domains.yml")
    source = content.source_texts()
    for task in content.tasks.values():
        where = f"knowledge/tasks/{task.id}.yml"
        urls = [
            *task.official_urls,
            *(s.url for s in task.steps if s.url),
            *(s.url for s in task.sources),
        ]
        for url in urls:
            if (problem := domains.problem(url)) is not None:
                yield Finding("error", where, problem)
        if task.review_by < today:
            yield Finding("warning", where, f"past its review-by date ({task.review_by}): check it")
    for key, text in source.items():
        for url in _URL.findall(text):
            if (problem := domains.problem(url)) is not None:
                yield Finding("error", key, problem)
        if looks_like_bsn(text):
            yield Finding("error", key, "contains a number that passes the BSN elfproef")
        for sentence in _SENTENCE.findall(text):
            words = len(sentence.split())
            if words > MAX_B1_WORDS:
                yield Finding(
                    "warning", key, f"a sentence of {words} words (B1: at most {MAX_B1_WORDS})"
                )
    for lang in content.language_codes:
        if lang == content.languages.source:
            continue
        yield from _language_rules(content, lang, source, domains)


def _language_rules(
    content: Content, lang: str, source: dict[str, str], domains: Domains
) -> Iterator[Finding]:
    po = po_path(content.root, lang)
    entries: dict[str, Entry] = load_entries(po) if po.exists() else {}
    missing = [key for key in source if key not in entries]
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        yield Finding("error", f"locales/{lang}", f"{len(missing)} missing translations: {shown}")
    for key, entry in entries.items():
        if key not in source:
            continue
        if placeholders(entry.text) != placeholders(source[key]):
            yield Finding(
                "error",
                f"locales/{lang}: {key}",
                f"placeholders {sorted(placeholders(entry.text))} differ from the Dutch "
                f"{sorted(placeholders(source[key]))}",
            )
        for url in _URL.findall(entry.text):
            if (problem := domains.problem(url)) is not None:
                yield Finding("error", f"locales/{lang}: {key}", problem)
        if looks_like_bsn(entry.text):
            yield Finding(
                "error", f"locales/{lang}: {key}", "contains a number that passes the BSN elfproef"
            )
