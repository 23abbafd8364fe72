"""Bot API methods that put something in a chat: send, edit, delete, actions, callback answers."""

from __future__ import annotations

import mimetypes
from typing import Any

from .backend import Backend
from .content import CHAT_ACTIONS, formatted, reply_markup
from .errors import bad_request
from .models import ChatActionRecord, ChatState, MessageRecord, StoredFile
from .params import Params

Json = dict[str, Any]
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _reply_to(chat: ChatState, params: Params) -> Json | None:
    reply = params.get_json("reply_parameters")
    allow_missing = False
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    record = chat.get(int(message_id))
    if record is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    replied = dict(record.message)
    replied.pop("reply_to_message", None)
    return replied


def _post(backend: Backend, chat: ChatState, params: Params, fields: Json) -> Json:
    """Common tail of every send: reply, keyboard, storing the message and waking waiters."""
    inline, other = reply_markup(params)
    replied = _reply_to(chat, params)
    if replied is not None:
        fields["reply_to_message"] = replied
    if inline and inline["inline_keyboard"]:
        fields["reply_markup"] = inline
    state = backend.state
    record = chat.add(state.bot_user, state.now(), True, fields)
    record.reply_keyboard = other
    return record.message


async def send_message(backend: Backend, params: Params) -> Json:
    chat = backend.writable_chat(params)
    text, entities = formatted(params, "text", "entities", required=True)
    fields: Json = {"text": text}
    if entities:
        fields["entities"] = entities
    preview = params.get_json("link_preview_options")
    if isinstance(preview, dict) and preview:
        fields["link_preview_options"] = preview
    return _post(backend, chat, params, fields)


def _upload(backend: Backend, params: Params, field: str, kind: str) -> StoredFile:
    """The file of a send: a multipart upload, an attach:// part, a known file_id or a URL."""
    state = backend.state
    value = params.get_str(field)
    upload = params.files.get(field)
    if upload is None and value and value.startswith("attach://"):
        upload = params.files.get(value.removeprefix("attach://"))
    if upload is not None:
        mime = upload.content_type
        if mime == "application/octet-stream":
            mime = mimetypes.guess_type(upload.filename)[0] or mime
        return state.store_file(upload.content, kind, upload.filename, mime)
    if not value:
        raise bad_request(f"there is no {field} in the request")
    known = state.files.get(value)
    if known is not None:
        return known
    if value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or "file"
        return state.store_file(b"", kind, name, mimetypes.guess_type(name)[0])
    raise bad_request("wrong file identifier/HTTP URL specified")


def _caption(params: Params, fields: Json) -> None:
    caption, entities = formatted(params, "caption", "caption_entities", required=False)
    if caption:
        fields["caption"] = caption
    if entities:
        fields["caption_entities"] = entities


async def send_document(backend: Backend, params: Params) -> Json:
    chat = backend.writable_chat(params)
    stored = _upload(backend, params, "document", "document")
    document: Json = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = len(stored.content)
    fields: Json = {"document": document}
    _caption(params, fields)
    return _post(backend, chat, params, fields)


async def send_photo(backend: Backend, params: Params) -> Json:
    chat = backend.writable_chat(params)
    stored = _upload(backend, params, "photo", "photo")
    # Telegram answers with several sizes; one is enough for the bot to read back.
    size = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "width": 800,
        "height": 600,
    }
    fields: Json = {"photo": [size]}
    _caption(params, fields)
    return _post(backend, chat, params, fields)


def _editable(backend: Backend, params: Params) -> tuple[ChatState, MessageRecord]:
    chat = backend.state.chat(params.chat_id())
    record = backend.state.require_message(chat, params.get_int("message_id"), "edit")
    if not record.from_bot:
        raise bad_request("message can't be edited")
    return chat, record


def _apply_edit(backend: Backend, chat: ChatState, record: MessageRecord, new: Json) -> Json:
    new["edit_date"] = backend.state.now()
    record.message = new
    record.edit_count += 1
    chat.signal.fire()
    return new


def _set_markup(message: Json, inline: Json | None) -> None:
    # Leaving reply_markup out of an edit removes the inline keyboard, as in Telegram.
    if inline and inline["inline_keyboard"]:
        message["reply_markup"] = inline
    else:
        message.pop("reply_markup", None)


def _without_edit_date(message: Json) -> Json:
    new = dict(message)
    new.pop("edit_date", None)
    return new


async def edit_message_text(backend: Backend, params: Params) -> Json | bool:
    inline_id = params.get_str("inline_message_id")
    if inline_id:
        backend.inline_edits[inline_id] = params.required_str("text", "message text is empty")
        return True
    chat, record = _editable(backend, params)
    if "text" not in record.message:
        raise bad_request("there is no text in the message to edit")
    text, entities = formatted(params, "text", "entities", required=True)
    inline, _ = reply_markup(params)
    new = _without_edit_date(record.message)
    new["text"] = text
    if entities:
        new["entities"] = entities
    else:
        new.pop("entities", None)
    _set_markup(new, inline)
    if new == _without_edit_date(record.message):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(backend, chat, record, new)


async def edit_message_caption(backend: Backend, params: Params) -> Json | bool:
    if params.get_str("inline_message_id"):
        return True
    chat, record = _editable(backend, params)
    if "text" in record.message:
        raise bad_request("there is no caption in the message to edit")
    new = _without_edit_date(record.message)
    new.pop("caption", None)
    new.pop("caption_entities", None)
    _caption(params, new)
    inline, _ = reply_markup(params)
    _set_markup(new, inline)
    if new == _without_edit_date(record.message):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(backend, chat, record, new)


async def edit_message_reply_markup(backend: Backend, params: Params) -> Json | bool:
    if params.get_str("inline_message_id"):
        return True
    chat, record = _editable(backend, params)
    inline, _ = reply_markup(params)
    new = _without_edit_date(record.message)
    _set_markup(new, inline)
    if new == _without_edit_date(record.message):
        raise bad_request(NOT_MODIFIED)
    return _apply_edit(backend, chat, record, new)


async def delete_message(backend: Backend, params: Params) -> bool:
    chat = backend.state.chat(params.chat_id())
    record = backend.state.require_message(chat, params.get_int("message_id"), "delete")
    record.deleted = True
    chat.signal.fire()
    return True


async def send_chat_action(backend: Backend, params: Params) -> bool:
    chat = backend.writable_chat(params)
    action = params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(ChatActionRecord(action=action, at=backend.state.clock()))
    chat.signal.fire()
    return True


async def answer_callback_query(backend: Backend, params: Params) -> bool:
    state = backend.state
    query = state.callback_queries.get(params.get_str("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    query.answered = True
    query.text = params.get_str("text")
    query.show_alert = params.get_bool("show_alert")
    query.url = params.get_str("url")
    query.answered_at = state.clock()
    state.callback_answers.append(query)
    chat = state.chats.get(query.chat_id)
    if chat is not None:
        chat.signal.fire()
    return True
