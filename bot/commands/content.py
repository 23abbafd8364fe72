"""`wegwijs content check|status|update`: validate content and manage the translation catalogues."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    content = sub.add_parser("content", help="check content and manage translations")
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate all content; exit 1 on errors")
    check.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    check.set_defaults(handler=run_check)
    status = actions.add_parser("status", help="translation status per language")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
    status.set_defaults(handler=run_status)
    update = actions.add_parser(
        "update", help="extract the Dutch source into locales/wegwijs.pot and update every PO file"
    )
    update.set_defaults(handler=run_update)
    export = actions.add_parser(
        "export", help="write the entries a language still lacks as YAML (key: Dutch source)"
    )
    export.add_argument("--lang", required=True)
    export.add_argument("--all", action="store_true", help="every entry, not only missing/outdated")
    export.set_defaults(handler=run_export)
    imp = actions.add_parser(
        "import", help="read a YAML file (key: translation) into a PO file, marked as draft"
    )
    imp.add_argument("--lang", required=True)
    imp.add_argument("file")
    imp.set_defaults(handler=run_import)
    draft = actions.add_parser(
        "draft",
        help="fill a language's missing entries with machine drafts (fuzzy); needs TRANSLATOR",
    )
    draft.add_argument("--lang", required=True)
    draft.add_argument("--limit", type=int, default=None, help="draft at most this many entries")
    draft.set_defaults(handler=run_draft)


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.check import check
    from bot.content.root import content_root

    findings = check(content_root(), args.today or dt.date.today())
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        print(finding, file=sys.stderr if finding.severity == "error" else sys.stdout)
    warnings = len(findings) - len(errors)
    print(f"content check: {len(errors)} errors, {warnings} warnings")
    return 1 if errors else 0


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.loader import load_content
    from bot.content.root import content_root
    from bot.language import po

    content = load_content(content_root())
    languages = po.status(content)
    report = {
        "source_language": content.languages.source,
        "tasks": list(content.tasks),
        "languages": {lang: status.as_dict() for lang, status in languages.items()},
        "note": "fuzzy = draft translation not yet reviewed by a native speaker; "
        "outdated = translated from an older Dutch text",
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(content.tasks)} tasks: {', '.join(content.tasks)}")
    print(
        f"{'lang':6}{'total':>7}{'transl.':>9}{'draft':>7}{'reviewed':>10}{'missing':>9}{'outdated':>10}"
    )
    for lang, s in languages.items():
        print(
            f"{lang:6}{s.total:>7}{s.translated:>9}{s.fuzzy:>7}{s.reviewed:>10}{s.missing:>9}{s.outdated:>10}"
        )
    return 0


def run_update(args: argparse.Namespace, settings: Settings) -> int:
    from bot.content.loader import load_content
    from bot.content.root import content_root
    from bot.language import po

    content = load_content(content_root())
    added = po.update(content)
    for lang, count in added.items():
        print(f"{lang}: {count} new entries")
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    from bot.content.loader import load_content
    from bot.content.root import content_root
    from bot.language import po

    content = load_content(content_root())
    wanted = content.source_texts() if args.all else po.export_missing(content, args.lang)
    yaml.safe_dump(wanted, sys.stdout, allow_unicode=True, sort_keys=False, width=1000)
    return 0


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    from bot.content.loader import load_content
    from bot.content.root import content_root
    from bot.language import po

    content = load_content(content_root())
    with open(args.file, encoding="utf-8") as handle:
        translations = yaml.safe_load(handle) or {}
    if args.lang not in content.language_codes or args.lang == content.languages.source:
        print(f"unknown target language {args.lang!r}", file=sys.stderr)
        return 1
    written = po.import_translations(content, args.lang, translations)
    print(f"{args.lang}: {written} entries written as drafts (fuzzy) for review")
    return 0


def run_draft(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    return asyncio.run(_draft(args, settings))


async def _draft(args: argparse.Namespace, settings: Settings) -> int:
    from bot.clock import SystemClock
    from bot.content.loader import load_content
    from bot.content.root import content_root
    from bot.language import po
    from bot.language.drafts import machine_drafts
    from bot.language.translators import MachineTranslator, translator_from_settings
    from bot.privacy.redact import Redactor
    from bot.store.db import Database
    from bot.store.translation_cache import TranslationCache

    content = load_content(content_root())
    source = content.languages.source
    if args.lang not in content.language_codes or args.lang == source:
        print(f"unknown target language {args.lang!r}", file=sys.stderr)
        return 1
    wanted = po.export_missing(content, args.lang, include_outdated=False)
    wanted = dict(list(wanted.items())[: args.limit]) if args.limit is not None else wanted
    redactor = Redactor.from_file(content.root / "knowledge" / "safety" / "secret_words.yml")
    db = Database(settings.database_url)
    await db.upgrade()
    translator = translator_from_settings(
        settings,
        redact=lambda text: redactor.redact(text).text,
        cache=TranslationCache(db, SystemClock()),
        timeout=10.0,  # not in a turn: a slower answer is fine here
    )
    try:
        if not isinstance(translator, MachineTranslator):
            print(
                "machine translation is off: set TRANSLATOR (and TRANSLATOR_API_KEY or "
                "TRANSLATOR_URL) to draft; nothing written",
                file=sys.stderr,
            )
            return 1
        print(f"{args.lang}: {len(wanted)} entries missing; drafting with {translator.name} ...")
        drafts = await machine_drafts(wanted, translator, source, args.lang)
    finally:
        close = getattr(translator, "aclose", None)
        if close is not None:
            await close()
        await db.close()
    written = po.import_translations(content, args.lang, drafts.texts) if drafts.texts else 0
    print(f"{args.lang}: {written} entries written as drafts (fuzzy) for review")
    if drafts.broken:
        print(f"  {len(drafts.broken)} left out: a placeholder was lost or changed")
    if drafts.not_translated:
        print(f"  {len(drafts.not_translated)} not translated (language not offered, or failed)")
    return 0
