"""Telegram's language codes and ours: guessing a participant's language before they choose."""

from __future__ import annotations

from bot.content.loader import Content


class TelegramLanguages:
    def __init__(self, content: Content) -> None:
        self.source = content.languages.source
        self.codes = content.language_codes
        self._by_telegram: dict[str, str] = {}
        for lang in content.languages.languages:
            for code in (lang.code, *lang.telegram_codes):
                self._by_telegram.setdefault(code.lower(), lang.code)
        self._menu_codes = {
            lang.code: tuple(c for c in lang.telegram_codes if len(c) == 2 and c.isalpha())
            for lang in content.languages.languages
        }

    def guess(self, language_code: str | None) -> str | None:
        """Our language for Telegram's `language_code` ("ar", "fa-IR", "en-GB"), if we have it."""
        if not language_code:
            return None
        code = language_code.lower()
        return self._by_telegram.get(code) or self._by_telegram.get(code.split("-")[0])

    def menu_codes(self, lang: str) -> tuple[str, ...]:
        """Telegram accepts only two-letter ISO 639-1 codes for per-language command menus."""
        return self._menu_codes.get(lang, ())
