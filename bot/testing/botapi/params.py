"""Method parameters from JSON, form-encoded or multipart bodies, coerced like Telegram does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Receive, Scope

from .errors import bad_request


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


class Params:
    """One request's parameters.

    Form and multipart bodies carry every value as a string (PTB JSON-encodes lists, dicts and
    booleans), JSON bodies carry native values; the accessors accept both.
    """

    __slots__ = ("files", "values")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def required_str(self, name: str, empty: str | None = None) -> str:
        value = self.get_str(name)
        if not value:
            raise bad_request(empty or f"{name} is empty")
        return value

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def required_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str, what: str | None = None) -> Any:
        """A JSON-valued parameter (reply_markup, entities, commands...), also when sent as text."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None

    def chat_id(self) -> int | str:
        """`chat_id` is an integer or an "@username" string."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        if text.startswith("@"):
            return text
        try:
            return int(text)
        except ValueError:
            raise bad_request("chat not found") from None


async def read_params(scope: Scope, receive: Receive) -> Params:
    """Decode the query string plus the body, whatever its content type."""
    content_type = ""
    for key, value in scope["headers"]:
        if key == b"content-type":
            content_type = value.decode("latin-1")
            break
    values: dict[str, Any] = {}
    query = scope.get("query_string", b"")
    if query:
        values.update(parse_qsl(query.decode("utf-8"), keep_blank_values=True))

    if content_type.startswith("multipart/form-data"):
        values_from_form, files = await _read_multipart(scope, receive)
        values.update(values_from_form)
        return Params(values, files)

    body = await _read_body(receive)
    if not body:
        return Params(values)
    if content_type.startswith("application/json"):
        try:
            decoded = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(decoded, dict):
            raise bad_request("JSON request body must be an object")
        values.update(decoded)
    else:
        # Form-encoded is what PTB's HTTPXRequest sends for calls without files.
        values.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return Params(values)


async def _read_body(receive: Receive) -> bytes:
    message = await receive()
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False):
        return body
    chunks = [body]
    while message.get("more_body", False):
        message = await receive()
        chunks.append(message.get("body", b""))
    return b"".join(chunks)


async def _read_multipart(
    scope: Scope, receive: Receive
) -> tuple[dict[str, Any], dict[str, Upload]]:
    values: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    form = await Request(scope, receive).form(max_part_size=50 * 1024 * 1024)
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[name] = Upload(
                    filename=value.filename or name,
                    content=await value.read(),
                    content_type=value.content_type or "application/octet-stream",
                )
            else:
                values[name] = value
    finally:
        await form.close()
    return values, files
