"""Bot API methods about the bot itself: identity, updates, webhook, commands, menu, files."""

from __future__ import annotations

import json
import re
from typing import Any

from .backend import Backend
from .errors import bad_request, conflict
from .params import Params

Json = dict[str, Any]
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


async def get_me(backend: Backend, params: Params) -> Json:
    return {
        **backend.state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(backend: Backend, params: Params) -> list[Json]:
    if backend.webhook.active:
        raise conflict(
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first"
        )
    limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
    timeout_value = params.values.get("timeout")
    try:
        timeout = float(timeout_value) if timeout_value not in (None, "") else 0.0
    except (TypeError, ValueError):
        raise bad_request("invalid timeout specified") from None
    allowed = params.get_json("allowed_updates")
    return await backend.updates.get_updates(
        params.get_int("offset"), limit, timeout, allowed if isinstance(allowed, list) else None
    )


async def set_webhook(backend: Backend, params: Params) -> bool:
    url = params.get_str("url") or ""
    drop = params.get_bool("drop_pending_updates")
    if not url:
        await backend.webhook.delete(drop_pending_updates=drop)
        return True
    # Telegram insists on HTTPS on ports 443/80/88/8443; this server is for loopback tests, so
    # plain http on any port is accepted.
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    max_connections = params.get_int("max_connections", 40) or 40
    allowed = params.get_json("allowed_updates")
    await backend.webhook.set(
        url,
        secret_token=secret,
        max_connections=min(max(max_connections, 1), 100),
        allowed_updates=allowed if isinstance(allowed, list) else None,
        drop_pending_updates=drop,
    )
    return True


async def delete_webhook(backend: Backend, params: Params) -> bool:
    await backend.webhook.delete(drop_pending_updates=params.get_bool("drop_pending_updates"))
    return True


async def get_webhook_info(backend: Backend, params: Params) -> Json:
    return backend.webhook.info()


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = params.get_str("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


async def set_my_commands(backend: Backend, params: Params) -> bool:
    commands = params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    cleaned: list[Json] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", ""))
        description = str(command.get("description", ""))
        if not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    if len(cleaned) > 100:
        raise bad_request("too many commands specified")
    key = _commands_key(params)
    if cleaned:
        backend.state.commands[key] = cleaned
    else:
        backend.state.commands.pop(key, None)
    return True


async def get_my_commands(backend: Backend, params: Params) -> list[Json]:
    return list(backend.state.commands.get(_commands_key(params), []))


async def delete_my_commands(backend: Backend, params: Params) -> bool:
    backend.state.commands.pop(_commands_key(params), None)
    return True


async def set_chat_menu_button(backend: Backend, params: Params) -> bool:
    button = params.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or "type" not in button:
        raise bad_request("can't parse menu button JSON object")
    if params.has("chat_id"):
        backend.state.chat(params.chat_id()).menu_button = button
    else:
        backend.state.default_menu_button = button
    return True


async def get_chat_menu_button(backend: Backend, params: Params) -> Json:
    if params.has("chat_id"):
        chat = backend.state.chat(params.chat_id())
        if chat.menu_button is not None:
            return chat.menu_button
    return backend.state.default_menu_button


def _profile_text(field: str, limit: int) -> Any:
    async def setter(backend: Backend, params: Params) -> bool:
        value = params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        backend.state.profile[(field, params.get_str("language_code") or "")] = value
        return True

    async def getter(backend: Backend, params: Params) -> Json:
        key = (field, params.get_str("language_code") or "")
        return {field: backend.state.profile.get(key, "")}

    return setter, getter


set_my_name, get_my_name = _profile_text("name", 64)
set_my_description, get_my_description = _profile_text("description", 512)
set_my_short_description, get_my_short_description = _profile_text("short_description", 120)


async def get_file(backend: Backend, params: Params) -> Json:
    stored = backend.state.files.get(params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.as_file()


async def harmless(backend: Backend, params: Params) -> bool:
    """close / logOut: nothing to release here."""
    return True
