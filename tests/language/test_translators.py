"""Machine translation: the real deep-translator classes and REST calls against loopback servers
speaking Google's, Microsoft's, DeepL's and LibreTranslate's protocols."""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.language.breaker import CircuitBreaker
from bot.language.translation import NoTranslator, Translation
from bot.language.translation_providers import DeepL, GoogleWeb, Libre, Microsoft, Provider
from bot.language.translators import MachineTranslator, translator_from_settings
from bot.privacy.redact import Redactor
from bot.settings import Settings
from bot.store.db import Database
from bot.store.translation_cache import TranslationCache
from tests.language.loopback import Loopback, Request, Response, serve

ROOT = Path(__file__).resolve().parents[2]
REDACTOR = Redactor.from_file(ROOT / "knowledge" / "safety" / "secret_words.yml")
BSN = "111222333"  # passes the elfproef


def redact(text: str) -> str:
    return REDACTOR.redact(text).text


def fake_translation(text: str, target: str) -> str:
    """What our fake services answer: recognisably "translated", markers kept as they are."""
    return f"<{target}> {text}"


# --- the protocols -----------------------------------------------------------------------


def google_web(request: Request) -> Response:
    """translate.google.com/m: GET ?sl=&tl=&q=, an HTML page with the result in a div."""
    if request.method != "GET" or request.path != "/m":
        return Response(404, "<html>not found</html>", "text/html")
    text = request.query["q"][0]
    translated = html.escape(fake_translation(text, request.query["tl"][0]))
    page = (
        "<html><body><div class='header'>Google Translate</div>"
        f'<div class="result-container">{translated}</div></body></html>'
    )
    return Response(200, page, "text/html; charset=utf-8")


def microsoft_v3(request: Request) -> Response:
    """Translator v3: POST /translate?api-version=3.0&from=&to=, body [{"text": ...}]."""
    if request.headers.get("ocp-apim-subscription-key") != "ms-key":
        error = {"code": 401000, "message": "The request is not authorized."}
        return Response(401, {"error": error})
    if request.path != "/translate" or request.query.get("api-version") != ["3.0"]:
        return Response(404, {"error": {"code": 404001, "message": "Not found"}})
    target = request.query["to"][0]
    items = request.json()
    return Response(
        200,
        [
            {"translations": [{"text": fake_translation(item["text"], target), "to": target}]}
            for item in items
        ],
    )


def deepl_v2(request: Request) -> Response:
    """DeepL v2 as it is now: POST only, key only in the Authorization header."""
    if "auth_key" in request.query or request.method != "POST":
        return Response(403, {"message": "Legacy authentication method is no longer supported."})
    if request.headers.get("authorization") != "DeepL-Auth-Key dl-key:fx":
        return Response(403, {"message": "Wrong endpoint or key"})
    body = request.json()
    target = body["target_lang"]
    return Response(
        200,
        {
            "translations": [
                {
                    "detected_source_language": body["source_lang"],
                    "text": fake_translation(t, target),
                }
                for t in body["text"]
            ]
        },
    )


LIBRE_LANGUAGES = {"en", "nl", "ar", "fa", "tr", "uk"}


def libretranslate(request: Request) -> Response:
    """LibreTranslate: POST /translate {q, source, target, format} -> {translatedText}."""
    if request.path != "/translate":
        return Response(404, {"error": "Not Found"})
    body = request.json()
    for field in ("source", "target"):
        if body[field] not in LIBRE_LANGUAGES:
            return Response(400, {"error": f"{body[field]} is not supported"})
    return Response(200, {"translatedText": fake_translation(body["q"], body["target"])})


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def google() -> Iterator[Loopback]:
    with serve(google_web) as server:
        yield server


@pytest.fixture
def microsoft() -> Iterator[Loopback]:
    with serve(microsoft_v3) as server:
        yield server


@pytest.fixture
def deepl() -> Iterator[Loopback]:
    with serve(deepl_v2) as server:
        yield server


@pytest.fixture
def libre() -> Iterator[Loopback]:
    with serve(libretranslate) as server:
        yield server


@pytest.fixture
async def cache(sqlite_url: str) -> AsyncIterator[TranslationCache]:
    db = Database(sqlite_url)
    await db.upgrade()
    try:
        yield TranslationCache(db, FixedClock(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)))
    finally:
        await db.close()


def machine(provider: Provider, **options: object) -> MachineTranslator:
    return MachineTranslator(provider, redact=redact, **options)  # type: ignore[arg-type]


# --- each provider ------------------------------------------------------------------------


async def test_google_through_deep_translator(google: Loopback) -> None:
    translator = machine(GoogleWeb(url=f"{google.url}/m"))
    result = await translator.translate("Ik kom niet verder met DigiD", "nl", "ti")
    await translator.aclose()
    assert result == Translation("<ti> Ik kom niet verder met DigiD", True, "google")
    request = google.requests[0]
    assert (request.query["sl"], request.query["tl"]) == (["nl"], ["ti"])


async def test_microsoft_through_deep_translator_uses_kurmanji(microsoft: Loopback) -> None:
    provider = Microsoft(api_key="ms-key", region="westeurope", url=microsoft.url)
    translator = machine(provider)
    result = await translator.translate("Uw afspraak is morgen", "nl", "ku")
    await translator.aclose()
    # Microsoft's "ku" is Sorani; our Kurdish is Kurmanji, "kmr" there.
    assert result == Translation("<kmr> Uw afspraak is morgen", True, "microsoft")
    request = microsoft.requests[0]
    assert request.query["from"] == ["nl"] and request.query["to"] == ["kmr"]
    assert request.headers["ocp-apim-subscription-region"] == "westeurope"
    assert request.json() == [{"text": "Uw afspraak is morgen"}]


async def test_microsoft_refusing_the_key_gives_the_original(microsoft: Loopback) -> None:
    translator = machine(Microsoft(api_key="wrong", url=microsoft.url))
    result = await translator.translate("Hallo", "nl", "ar")
    await translator.aclose()
    assert result == Translation("Hallo", False, "microsoft")


async def test_deepl_over_rest_with_the_key_in_the_header(deepl: Loopback) -> None:
    translator = machine(DeepL(api_key="dl-key:fx", url=deepl.url))
    result = await translator.translate("Waar is de bibliotheek?", "nl", "en")
    assert result == Translation("<EN-GB> Waar is de bibliotheek?", True, "deepl")
    # DeepL has no Tigrinya: nothing is sent, the original is kept.
    untranslated = await translator.translate("Waar is de bibliotheek?", "nl", "ti")
    await translator.aclose()
    assert untranslated == Translation("Waar is de bibliotheek?", False, "deepl")
    assert len(deepl.requests) == 1


def test_deep_translators_own_deepl_class_is_refused_by_deepl_today(deepl: Loopback) -> None:
    """Why DeepL is called directly: deep-translator 1.11.4 sends auth_key on a GET."""
    from deep_translator import DeeplTranslator
    from deep_translator.exceptions import AuthorizationException

    old = DeeplTranslator(source="nl", target="en", api_key="dl-key:fx")
    old._base_url = f"{deepl.url}/v2/"
    with pytest.raises(AuthorizationException):
        old.translate("Hallo")
    assert deepl.requests[0].method == "GET" and "auth_key" in deepl.requests[0].query


def test_deep_translators_libre_class_refuses_dutch_and_persian() -> None:
    """Why LibreTranslate is called directly (the domain brief's finding, kept true here)."""
    from deep_translator import LibreTranslator
    from deep_translator.exceptions import ApiKeyException, LanguageNotSupportedException

    with pytest.raises(ApiKeyException):
        LibreTranslator(source="en", target="ar", api_key=None, custom_url="http://127.0.0.1:9/")
    for lang in ("nl", "fa"):
        with pytest.raises(LanguageNotSupportedException):
            LibreTranslator(source="en", target=lang, api_key="x", custom_url="http://127.0.0.1:9/")


async def test_libretranslate_over_rest_for_the_languages_it_has(libre: Loopback) -> None:
    translator = machine(Libre(url=libre.url))
    dutch = await translator.translate("مرحبا، أحتاج مساعدة", "ar", "nl")
    persian = await translator.translate("Uw afspraak", "nl", "fa")
    somali = await translator.translate("Uw afspraak", "nl", "so")
    await translator.aclose()
    assert dutch == Translation("<nl> مرحبا، أحتاج مساعدة", True, "libre")
    assert persian.translated and persian.text == "<fa> Uw afspraak"
    # No Argos model for Somali (nor Tigrinya, Kurdish): not even asked.
    assert somali == Translation("Uw afspraak", False, "libre")
    assert [r.json()["target"] for r in libre.requests] == ["nl", "fa"]
    assert "api_key" not in libre.requests[0].json()


# --- privacy, cache, time limits, failures -----------------------------------------------


async def test_text_is_redacted_before_it_leaves_and_staff_numbers_come_back(
    libre: Loopback,
) -> None:
    translator = machine(Libre(url=libre.url))
    staff = "Bel ons op 053 480 3800 of mail info@bibliotheek.nl"
    result = await translator.translate(staff, "nl", "ar")
    participant = f"mijn bsn is {BSN} en ik snap de brief niet"
    handover = await translator.translate(participant, "ar", "nl")
    await translator.aclose()
    sent = [r.body.decode("utf-8") for r in libre.requests]
    assert all("480" not in body and "info@" not in body and BSN not in body for body in sent)
    assert libre.requests[0].json()["q"] == "Bel ons op [PHONE] of mail [EMAIL]"
    # What staff typed on purpose never left, and is back in the translation.
    assert result.text == "<ar> Bel ons op 053 480 3800 of mail info@bibliotheek.nl"
    assert BSN not in handover.text and "[BSN]" in handover.text


async def test_translations_are_cached_in_the_database(
    libre: Loopback, cache: TranslationCache
) -> None:
    translator = machine(Libre(url=libre.url), cache=cache)
    first = await translator.translate("Tot morgen in de bibliotheek", "nl", "tr")
    again = await translator.translate("Tot morgen in de bibliotheek", "nl", "tr")
    assert first == again == Translation("<tr> Tot morgen in de bibliotheek", True, "libre")
    assert len(libre.requests) == 1
    # Another direction is another entry.
    await translator.translate("Tot morgen in de bibliotheek", "nl", "ar")
    assert len(libre.requests) == 2
    await translator.aclose()


async def test_the_cache_keeps_no_source_text_and_forgets_after_its_time(
    libre: Loopback, cache: TranslationCache
) -> None:
    from sqlalchemy import text as sql

    translator = machine(Libre(url=libre.url), cache=cache)
    await translator.translate(f"mijn bsn is {BSN}, bel 0612345678", "nl", "en")
    async with cache.db.engine.connect() as connection:
        result = await connection.execute(sql("SELECT * FROM translation_cache"))
        columns, rows = list(result.keys()), result.all()
    assert len(rows) == 1
    # Found by a hash; only the (redacted) translation is kept, not what was sent.
    assert columns == ["key", "provider", "source", "target", "translation", "created_at"]
    assert len(rows[0].key) == 64 and rows[0].translation == "<en> mijn bsn is [BSN], bel [PHONE]"
    stored = " ".join(str(value) for value in rows[0])
    assert BSN not in stored and "0612345678" not in stored
    assert isinstance(cache.clock, FixedClock)
    cache.clock.advance(cache.ttl + dt.timedelta(seconds=1))
    await translator.translate(f"mijn bsn is {BSN}, bel 0612345678", "nl", "en")
    assert len(libre.requests) == 2, "an expired entry is not used"
    cache.clock.advance(cache.ttl + dt.timedelta(seconds=1))
    assert await cache.purge() == 1
    await translator.aclose()


@pytest.mark.postgres
async def test_the_cache_works_on_postgresql(libre: Loopback, postgres_url: str) -> None:
    db = Database(postgres_url)
    await db.upgrade()
    try:
        cache = TranslationCache(db, FixedClock(dt.datetime(2026, 11, 23, tzinfo=dt.UTC)))
        translator = machine(Libre(url=libre.url), cache=cache)
        for _ in range(2):
            assert (await translator.translate("Hallo", "nl", "en")).text == "<en> Hallo"
        await cache.put("libre", "nl", "en", "Hallo", "Hello")  # an update of the same key
        assert await cache.get("libre", "nl", "en", "Hallo") == "Hello"
        assert len(libre.requests) == 1
        await translator.aclose()
    finally:
        await db.close()


async def test_a_slow_provider_is_not_waited_for(libre: Loopback, google: Loopback) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return libretranslate(request) if request.method == "POST" else google_web(request)

    libre.answer(slow)
    google.answer(slow)
    rest = machine(Libre(url=libre.url, timeout=0.2), timeout=0.2)
    threaded = machine(GoogleWeb(url=f"{google.url}/m", timeout=0.2), timeout=0.2)
    try:
        assert await rest.translate("Hallo", "nl", "en") == Translation("Hallo", False, "libre")
        assert await threaded.translate("Hallo", "nl", "ti") == Translation(
            "Hallo", False, "google"
        )
    finally:
        release.set()
        await rest.aclose()
        await threaded.aclose()
    assert libre.requests and google.requests


@pytest.mark.parametrize(
    "broken",
    [
        Response(500, {"error": "Internal Server Error"}),
        Response(429, {"error": "Slowdown: 10 per minute"}),
        Response(200, {"unexpected": True}),
        Response(200, b"<html>captive portal</html>", "text/html"),
    ],
)
async def test_failures_give_the_original_marked_not_translated(
    libre: Loopback, broken: Response
) -> None:
    libre.answer(lambda request: broken)
    translator = machine(Libre(url=libre.url))
    result = await translator.translate("Uw afspraak is verzet", "nl", "en")
    await translator.aclose()
    assert result == Translation("Uw afspraak is verzet", False, "libre")


async def test_after_repeated_failures_the_provider_is_left_alone_for_a_while(
    libre: Loopback,
) -> None:
    libre.answer(lambda request: Response(503, {"error": "down"}))
    translator = machine(Libre(url=libre.url), breaker=CircuitBreaker(failures=2, cooldown=60))
    for _ in range(5):
        assert not (await translator.translate("Hallo", "nl", "en")).translated
    await translator.aclose()
    assert len(libre.requests) == 2


async def test_unreachable_provider_gives_the_original() -> None:
    with serve() as gone:
        url = gone.url
    translator = machine(DeepL(api_key="dl-key:fx", url=url))
    result = await translator.translate("Hallo", "nl", "en")
    await translator.aclose()
    assert result == Translation("Hallo", False, "deepl")


# --- configuration -----------------------------------------------------------------------


async def test_translation_is_off_by_default() -> None:
    translator = translator_from_settings(Settings(), redact=redact)
    assert isinstance(translator, NoTranslator)
    assert await translator.translate("Hallo", "nl", "ar") == Translation("Hallo", False, "none")


@pytest.mark.parametrize(
    ("translator", "key", "url"),
    [("microsoft", None, None), ("deepl", None, None), ("libre", None, None), ("babel", "k", "u")],
)
def test_an_unusable_configuration_leaves_translation_off(
    translator: str, key: str | None, url: str | None
) -> None:
    settings = Settings(translator=translator, translator_api_key=key, translator_url=url)
    assert isinstance(translator_from_settings(settings, redact=redact), NoTranslator)


async def test_the_provider_follows_the_settings(libre: Loopback, microsoft: Loopback) -> None:
    libre_settings = Settings(translator="libretranslate", translator_url=libre.url)
    chosen = translator_from_settings(libre_settings, redact=redact)
    assert isinstance(chosen, MachineTranslator) and chosen.name == "libre"
    assert (await chosen.translate("Hallo", "nl", "en")).translated
    await chosen.aclose()
    azure = Settings(
        translator="microsoft:westeurope", translator_api_key="ms-key", translator_url=microsoft.url
    )
    chosen = translator_from_settings(azure, redact=redact)
    assert isinstance(chosen, MachineTranslator)
    assert (await chosen.translate("Hallo", "nl", "so")).text == "<so> Hallo"
    assert microsoft.requests[0].headers["ocp-apim-subscription-region"] == "westeurope"
    await chosen.aclose()


async def test_the_same_language_needs_no_provider(libre: Loopback) -> None:
    translator = machine(Libre(url=libre.url))
    assert await translator.translate("Hallo", "nl", "nl") == Translation(
        "Hallo", True, "same-language"
    )
    await translator.aclose()
    assert not libre.requests


async def test_the_app_translates_with_the_configured_provider_and_its_database_cache(
    libre: Loopback, sqlite_url: str, clock: FixedClock
) -> None:
    from bot.app import build_app

    settings = Settings(database_url=sqlite_url, translator="libre", translator_url=libre.url)
    app = await build_app(settings, clock=clock)
    try:
        translator = app.assistant.translator
        assert isinstance(translator, MachineTranslator)
        for _ in range(2):
            result = await translator.translate("لم تصلني الرسالة", "ar", "nl")
            assert result == Translation("<nl> لم تصلني الرسالة", True, "libre")
        assert len(libre.requests) == 1, "the second time comes from the database"
    finally:
        await app.close()


async def test_the_app_does_not_translate_by_default(sqlite_url: str, clock: FixedClock) -> None:
    from bot.app import build_app

    app = await build_app(Settings(database_url=sqlite_url), clock=clock)
    try:
        assert isinstance(app.assistant.translator, NoTranslator)
    finally:
        await app.close()
