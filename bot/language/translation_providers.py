"""The machine-translation services we can use, each speaking its own protocol.

Google (the web endpoint) and Microsoft Translator go through deep-translator's own classes,
which are synchronous: they run in a small thread pool. DeepL and LibreTranslate are called over
their REST APIs directly, because deep-translator 1.11.4 cannot: its `LibreTranslator` refuses
`nl` and `fa` and wants an API key even for a self-hosted server, and its `DeeplTranslator` still
sends the key as a query parameter on a GET, which DeepL stopped accepting (2025/2026).

A provider raises on any trouble; `bot.language.translators` turns that into "not translated".
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import httpx

T = TypeVar("T")


class TranslationFailed(RuntimeError):
    """The provider answered, but not with a translation."""


class Provider(Protocol):
    name: str

    def supports(self, source: str, target: str) -> bool:
        """Both languages are available at this provider (for this direction)."""
        ...

    async def translate(self, text: str, source: str, target: str) -> str:
        """The translation; raises on failure (network, status, unexpected answer)."""
        ...

    async def aclose(self) -> None: ...


# --- deep-translator (synchronous) ---------------------------------------------------------


class _RequestsWithTimeout:
    """Stands in for `requests` inside deep-translator's modules, adding a socket timeout.

    deep-translator 1.11.4 never passes `timeout=` to requests, so a silent server would hold
    a worker thread for as long as the operating system lets a connection hang. The caller
    stops waiting after its own (shorter) deadline; this only makes sure the thread ends too.
    """

    def __init__(self, timeout: float) -> None:
        import requests

        self._requests = requests
        self.timeout = timeout

    def get(self, url: str, **options: Any) -> Any:
        options.setdefault("timeout", self.timeout)
        return self._requests.get(url, **options)

    def post(self, url: str, **options: Any) -> Any:
        options.setdefault("timeout", self.timeout)
        return self._requests.post(url, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._requests, name)  # exceptions, Session, ...


def _bound_socket_timeouts(timeout: float) -> None:
    from deep_translator import google, microsoft

    for module in (google, microsoft):
        module.requests = _RequestsWithTimeout(timeout)


class _ThreadedProvider:
    """Runs a synchronous deep-translator call in a bounded pool of worker threads."""

    name = "threaded"

    def __init__(self, timeout: float, workers: int = 4) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="translate")
        _bound_socket_timeouts(timeout + 1.0)

    async def _run(self, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, call)

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# Google has all eight; its "ku" is Kurmanji, like ours (Sorani is "ckb").
GOOGLE_CODES = {code: code for code in ("nl", "en", "ar", "ti", "fa", "tr", "so", "ku")}
GOOGLE_URL = "https://translate.google.com/m"


class GoogleWeb(_ThreadedProvider):
    """deep-translator's `GoogleTranslator`: the Google Translate web page, no key."""

    name = "google"

    def __init__(self, url: str | None = None, timeout: float = 2.0) -> None:
        super().__init__(timeout)
        self.url = url or GOOGLE_URL

    def supports(self, source: str, target: str) -> bool:
        return source in GOOGLE_CODES and target in GOOGLE_CODES

    async def translate(self, text: str, source: str, target: str) -> str:
        return await self._run(functools.partial(self._call, text, source, target))

    def _call(self, text: str, source: str, target: str) -> str:
        from deep_translator import GoogleTranslator

        translator = GoogleTranslator(source=GOOGLE_CODES[source], target=GOOGLE_CODES[target])
        translator._base_url = self.url
        return _checked(translator.translate(text))


# Microsoft's "ku" is Central Kurdish (Sorani); Kurmanji, which we mean by "ku", is "kmr".
MICROSOFT_CODES = {
    "nl": "nl",
    "en": "en",
    "ar": "ar",
    "ti": "ti",
    "fa": "fa",
    "tr": "tr",
    "so": "so",
    "ku": "kmr",
}
MICROSOFT_URL = "https://api.cognitive.microsofttranslator.com"


class Microsoft(_ThreadedProvider):
    """deep-translator's `MicrosoftTranslator` against Translator v3 (`POST /translate`)."""

    name = "microsoft"

    def __init__(
        self, api_key: str, region: str | None = None, url: str | None = None, timeout: float = 2.0
    ) -> None:
        super().__init__(timeout)
        self.api_key = api_key
        self.region = region
        self.endpoint = f"{(url or MICROSOFT_URL).rstrip('/')}/translate?api-version=3.0"

    def supports(self, source: str, target: str) -> bool:
        return source in MICROSOFT_CODES and target in MICROSOFT_CODES

    async def translate(self, text: str, source: str, target: str) -> str:
        return await self._run(functools.partial(self._call, text, source, target))

    def _call(self, text: str, source: str, target: str) -> str:
        translator = _microsoft_translator(
            self.api_key,
            self.region,
            source=MICROSOFT_CODES[source],
            target=MICROSOFT_CODES[target],
        )
        translator._base_url = self.endpoint
        return _checked(translator.translate(text))


def _microsoft_translator(api_key: str, region: str | None, **languages: str) -> Any:
    from deep_translator import MicrosoftTranslator

    class _Translator(MicrosoftTranslator):
        # The original asks api.cognitive.microsofttranslator.com for its language list on
        # every construction (without a timeout); our languages are fixed and known.
        def _get_supported_languages(self) -> dict[str, str]:
            return {code: code for code in MICROSOFT_CODES.values()}

    return _Translator(api_key=api_key, region=region, **languages)


def _checked(result: object) -> str:
    if not isinstance(result, str) or not result.strip():
        raise TranslationFailed("empty or missing translation")
    return result


# --- REST providers ------------------------------------------------------------------------


class _RestProvider:
    name = "rest"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout))
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


# DeepL: text translation for these of our languages (Persian is a beta language there).
DEEPL_SOURCE = {"nl": "NL", "en": "EN", "ar": "AR", "tr": "TR"}
DEEPL_TARGET = {"nl": "NL", "en": "EN-GB", "ar": "AR", "tr": "TR"}


def deepl_url(api_key: str) -> str:
    # Free-plan keys end in ":fx" and only work on the free endpoint.
    return "https://api-free.deepl.com" if api_key.endswith(":fx") else "https://api.deepl.com"


class DeepL(_RestProvider):
    """DeepL API v2: `POST /v2/translate`, key in the `Authorization` header."""

    name = "deepl"

    def __init__(self, api_key: str, url: str | None = None, timeout: float = 2.0) -> None:
        super().__init__(timeout)
        self.api_key = api_key
        self.url = (url or deepl_url(api_key)).rstrip("/")

    def supports(self, source: str, target: str) -> bool:
        return source in DEEPL_SOURCE and target in DEEPL_TARGET

    async def translate(self, text: str, source: str, target: str) -> str:
        response = await self._http().post(
            f"{self.url}/v2/translate",
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
            json={
                "text": [text],
                "source_lang": DEEPL_SOURCE[source],
                "target_lang": DEEPL_TARGET[target],
            },
        )
        response.raise_for_status()
        translations = response.json().get("translations") or []
        return _checked(translations[0].get("text") if translations else None)


# LibreTranslate (Argos models): these have models, to and from English; the server goes
# through English itself for nl -> ar and the like. None exist for ti, so and ku.
LIBRE_CODES: Mapping[str, str] = {"nl": "nl", "en": "en", "ar": "ar", "fa": "fa", "tr": "tr"}


class Libre(_RestProvider):
    """A self-hosted LibreTranslate: `POST /translate`."""

    name = "libre"

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 2.0) -> None:
        super().__init__(timeout)
        self.url = url.rstrip("/")
        self.api_key = api_key

    def supports(self, source: str, target: str) -> bool:
        return source in LIBRE_CODES and target in LIBRE_CODES

    async def translate(self, text: str, source: str, target: str) -> str:
        payload = {
            "q": text,
            "source": LIBRE_CODES[source],
            "target": LIBRE_CODES[target],
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        response = await self._http().post(f"{self.url}/translate", json=payload)
        response.raise_for_status()
        return _checked(response.json().get("translatedText"))
