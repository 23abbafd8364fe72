"""Bot API error answers, shaped as Telegram sends them."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A method failed; the server answers `{"ok": false, ...}` with this code and text."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> BotApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return BotApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> BotApiError:
    return BotApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


NOT_FOUND = BotApiError(404, "Not Found")
UNAUTHORIZED = BotApiError(401, "Unauthorized")
CHAT_NOT_FOUND = "chat not found"
