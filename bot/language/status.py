"""How the outside language services are doing, for /readyz: Rasa and the translator.

Both are optional (the built-in interpreter and "show the original" take over), so they are
reported, never required. A probe waits at most `seconds`.
"""

from __future__ import annotations

from typing import Any

import httpx


async def _answers(url: str, seconds: float) -> bool:
    try:
        async with httpx.AsyncClient(timeout=seconds, trust_env=False) as client:
            response = await client.get(url)
        return response.status_code < 500
    except httpx.HTTPError:
        return False


async def rasa_status(interpreter: object, seconds: float = 1.0) -> dict[str, Any]:
    """{"configured": False} or the server's URL, whether it answers and its breaker's state."""
    rasa = getattr(interpreter, "rasa", None)
    if rasa is None:
        return {"configured": False, "answering_instead": "builtin"}
    breaker = getattr(rasa, "breaker", None)
    return {
        "configured": True,
        "answering": await _answers(f"{rasa.url}/", seconds),  # "Hello from Rasa: 3.6.21"
        "breaker": breaker.state.value if breaker is not None else "unknown",
    }


async def translator_status(translator: object, seconds: float = 1.0) -> dict[str, Any]:
    """{"provider": "none"} when off; a self-hosted LibreTranslate is probed as well."""
    provider = getattr(translator, "provider", None)
    status: dict[str, Any] = {"provider": getattr(translator, "name", "none")}
    url = getattr(provider, "url", None)
    if status["provider"] == "libre" and url:
        status["answering"] = await _answers(f"{url}/languages", seconds)
    breaker = getattr(translator, "breaker", None)
    if breaker is not None:
        status["breaker"] = breaker.state.value
    return status
