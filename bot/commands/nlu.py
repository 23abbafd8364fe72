"""`wegwijs nlu install|train|serve|eval`: the Rasa NLU service, and how well text is understood."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.settings import Settings

DEFAULT_PORT = 5005


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    nlu = sub.add_parser("nlu", help="install, train, serve and evaluate the NLU (Rasa)")
    actions = nlu.add_subparsers(dest="nlu_command", metavar="ACTION", required=True)

    install = actions.add_parser(
        "install", help="install the Rasa environment (scripts/rasa-env.sh); prints its python"
    )
    install.set_defaults(handler=run_install)

    train = actions.add_parser(
        "train", help="train the Rasa model (reused from the cache when the data is unchanged)"
    )
    train.add_argument("--out", type=Path, help="train into this folder instead of the cache")
    train.add_argument("--force", action="store_true", help="train even when a model is cached")
    train.set_defaults(handler=run_train)

    serve = actions.add_parser("serve", help="serve the model over HTTP (RASA_URL for the bot)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--model", type=Path, help="serve this model (default: the cached one)")
    serve.add_argument("--token", help="require ?token= on every request (Rasa's --auth-token)")
    serve.set_defaults(handler=run_serve)

    evaluate = actions.add_parser(
        "eval", help="accuracy, per-intent precision/recall and confusions on Rasa NLU YAML"
    )
    evaluate.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        help="an NLU YAML file, or a folder of them (e.g. dialogues/nlu/test); repeatable",
    )
    evaluate.add_argument(
        "--interpreter",
        choices=("rasa", "builtin"),
        help="default: rasa when RASA_URL (or --url) is set, else builtin",
    )
    evaluate.add_argument("--url", help="the Rasa server (default: $RASA_URL)")
    evaluate.add_argument(
        "--lang", help="language of the examples (default: the file name, e.g. ar.yml; else nl)"
    )
    evaluate.add_argument("--json", action="store_true", help="print JSON on stdout")
    evaluate.add_argument(
        "--min-accuracy", type=float, default=None, help="exit 1 when accuracy is lower"
    )
    evaluate.set_defaults(handler=run_eval)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_install(args: argparse.Namespace, settings: Settings) -> int:
    from bot.language import rasa_runtime

    print(rasa_runtime.ensure_env())
    return 0


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    from bot.language import nlu_models, rasa_runtime

    python = rasa_runtime.ensure_env()
    if args.out is not None:
        _say(f"training into {args.out} (takes minutes) ...")
        print(rasa_runtime.train(args.out, python=python))
        return 0
    print(nlu_models.cached_model(python=python, force=args.force, say=_say))
    return 0


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    from bot.language import nlu_models, rasa_runtime

    python = rasa_runtime.ensure_env()
    model = args.model or nlu_models.cached_model(python=python, say=_say)
    url = f"http://{args.host}:{args.port}"
    process = rasa_runtime.serve(
        model, args.port, args.host, python=python, log=sys.stderr.buffer, token=args.token
    )
    # Rasa runs in its own session, so a service manager's SIGTERM reaches only us: stop it too.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(0))
    try:
        asyncio.run(rasa_runtime.wait_ready(url, process=process, token=args.token))
        _say(f"Rasa NLU ready: RASA_URL={url}  (Ctrl-C stops it)")
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        rasa_runtime.stop(process)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_eval(args, settings))


async def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import load_everything
    from bot.conversation.inbound import Understanding
    from bot.language import evaluation
    from bot.language.breaker import CircuitBreaker
    from bot.language.rasa import RasaInterpreter
    from bot.language.select import builtin_interpreter

    content, catalogue, _ = load_everything()
    builtin = builtin_interpreter(content, catalogue)
    files = evaluation.data_files(args.data)
    missing = [str(path) for path in files if not path.is_file()]
    if missing or not files:
        print(f"no such NLU file: {', '.join(missing) or args.data}", file=sys.stderr)
        return 2
    default = args.lang or content.languages.source
    known = () if args.lang else content.language_codes
    labelled = [(path, evaluation.language_of(path, known, default)) for path in files]

    async def by_builtin(text: str, lang: str) -> Understanding:
        return builtin.parse_now(text, lang)

    url = args.url or settings.rasa_url
    name = args.interpreter or ("rasa" if url else "builtin")
    if name == "builtin":
        result = await evaluation.evaluate("builtin", labelled, by_builtin)
    else:
        if not url:
            print("--interpreter rasa needs --url or RASA_URL", file=sys.stderr)
            return 2
        # As in a turn (same mapping of fallback and confidence), but patient: this measures
        # the model, not whether the server keeps up.
        rasa = RasaInterpreter(
            url,
            entities=builtin.entities,
            known_tasks=frozenset(content.tasks),
            timeout=30.0,
            breaker=CircuitBreaker(failures=1_000_000),
        )
        try:
            result = await evaluation.evaluate("rasa", labelled, rasa.ask)
        except evaluation.NoAnswer as error:
            print(f"{error}: is Rasa running at {url}?", file=sys.stderr)
            return 2
        finally:
            await rasa.aclose()
        beside = await evaluation.evaluate("builtin", labelled, by_builtin)
        result.beside["builtin"] = beside.overall.accuracy
    if args.json:
        print(json.dumps(evaluation.as_json(result), indent=2, ensure_ascii=False))
    else:
        print(evaluation.as_text(result))
    if args.min_accuracy is not None and result.overall.accuracy < args.min_accuracy:
        print(
            f"accuracy {result.overall.accuracy:.3f} is below {args.min_accuracy}",
            file=sys.stderr,
        )
        return 1
    return 0
