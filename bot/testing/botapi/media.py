"""Minimal but realistic message contents for what a participant can send besides text."""

from __future__ import annotations

from typing import Any, Literal, get_args

from .models import BotState, StoredFile

Json = dict[str, Any]
MediaKind = Literal[
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "location",
    "contact",
    "animation",
    "poll",
    "dice",
]
MEDIA_KINDS: tuple[str, ...] = get_args(MediaKind)
# The content fields a Message can carry, used to tell what kind a message is.
CONTENT_KINDS = ("text", "animation", *MEDIA_KINDS)

_DEFAULT_FILES: dict[str, tuple[str, str]] = {
    "sticker": ("sticker.webp", "image/webp"),
    "photo": ("photo.jpg", "image/jpeg"),
    "voice": ("voice.ogg", "audio/ogg"),
    "video": ("video.mp4", "video/mp4"),
    "video_note": ("video_note.mp4", "video/mp4"),
    "audio": ("audio.mp3", "audio/mpeg"),
    "document": ("brief.pdf", "application/pdf"),
    "animation": ("animation.mp4", "video/mp4"),
}


def _file(stored: StoredFile, **extra: Any) -> Json:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        **extra,
    }


def media_fields(
    state: BotState,
    kind: str,
    *,
    content: bytes | None = None,
    file_name: str | None = None,
    overrides: Json | None = None,
) -> Json:
    """Message fields for one media kind; `overrides` replace or add fields of the object."""
    if kind not in MEDIA_KINDS:
        raise ValueError(f"unknown media kind {kind!r}; choose one of {', '.join(MEDIA_KINDS)}")
    extra = dict(overrides or {})
    if kind in _DEFAULT_FILES:
        default_name, mime = _DEFAULT_FILES[kind]
        name = file_name or default_name
        data = content if content is not None else f"fake {kind} bytes".encode()
        stored = state.store_file(data, kind, name, mime)
        if kind == "photo":
            small = _file(stored, width=90, height=67)
            large = _file(stored, width=1280, height=960)
            return {"photo": [small, large]}
        if kind == "sticker":
            obj = _file(stored, width=512, height=512, is_animated=False, is_video=False)
            obj.update(type="regular", emoji="👍")
        elif kind == "voice":
            obj = _file(stored, duration=3, mime_type=mime)
        elif kind == "video":
            obj = _file(stored, width=640, height=360, duration=5, mime_type=mime)
            obj["file_name"] = name
        elif kind == "video_note":
            obj = _file(stored, length=240, duration=4)
        elif kind == "audio":
            obj = _file(stored, duration=30, mime_type=mime, file_name=name)
        elif kind == "animation":
            obj = _file(stored, width=320, height=240, duration=2, mime_type=mime, file_name=name)
            obj.update(extra)
            # Telegram sends an animation also as a document, for older clients.
            document = {k: obj[k] for k in ("file_id", "file_unique_id", "file_size", "mime_type")}
            return {"animation": obj, "document": {**document, "file_name": name}}
        else:  # document
            obj = _file(stored, file_name=name, mime_type=mime)
        obj.update(extra)
        return {kind: obj}
    if kind == "location":
        obj = {"latitude": 52.370216, "longitude": 4.895168}
    elif kind == "contact":
        obj = {"phone_number": "+31612345678", "first_name": "Contact"}
    elif kind == "poll":
        # Bot API 9.6/10.0 fields (persistent_id, allows_revoting, members_only) are required by
        # PTB 22.8's parser.
        options = [
            {"text": text, "voter_count": 0, "persistent_id": str(number)}
            for number, text in enumerate(("Maandag", "Dinsdag"))
        ]
        obj = {
            "id": "5390000000000000001",
            "question": "Welke dag?",
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
    else:  # dice
        obj = {"emoji": "🎲", "value": 4}
    obj.update(extra)
    return {kind: obj}
