"""A short message from staff to a participant, on Telegram, in the participant's language.

With a translator configured the message is machine-translated and the participant also sees the
Dutch original (so they can show it to someone, and a bad translation does not mislead alone);
without one, or when the translation fails, they get the Dutch as written. The sentence around
it comes from the catalogues (dialogues/messages/dashboard.yml), in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from bot.conversation.replies import Reply
from bot.store.participant_view import ParticipantView, ParticipantViews
from bot.web.access import STAFF, Denied, own_library
from bot.web.auth import Principal
from bot.web.site import Services, done, form_of, page
from bot.web.staff import forms

MAX_MESSAGE = 1000
SOURCE = "nl"


@dataclass(frozen=True)
class Sent:
    delivered: bool
    translated: bool


async def compose(
    services: Services, participant: ParticipantView, library_name: str, text: str
) -> tuple[Reply, bool]:
    """The reply for the participant, and whether it was machine-translated."""
    language = participant.language or SOURCE
    texts = services.app.engine.texts(language)
    if language != SOURCE:
        translation = await services.app.assistant.translator.translate(text, SOURCE, language)
        if translation.translated and translation.text.strip():
            body = texts(
                "dashboard.staff_message_translated",
                library=library_name,
                text=translation.text,
                dutch=text,
            )
            return Reply(text=body, key="dashboard.staff_message_translated"), True
    body = texts("dashboard.staff_message", library=library_name, text=text)
    return Reply(text=body, key="dashboard.staff_message"), False


async def send(
    services: Services, participant: ParticipantView, library_name: str, text: str
) -> Sent:
    if participant.consent != "given":
        return Sent(False, False)
    reply, translated = await compose(services, participant, library_name, text)
    try:
        delivered = await services.notifier.notify(
            participant.channel, participant.chat_id, [reply]
        )
    except Exception:
        delivered = False
    return Sent(delivered, translated)


async def _participant(
    services: Services, principal: Principal, participant_id: int
) -> ParticipantView:
    library_id = own_library(principal)
    found = await ParticipantViews(services.app.db).get(participant_id)
    if found is None:
        raise HTTPException(404, "Deze deelnemer bestaat niet (meer).")
    if library_id not in found.libraries:
        raise Denied(f"participant:{participant_id}", library_id)
    return found


async def message_form(request: Request, principal: Principal, services: Services) -> Response:
    participant = await _participant(
        services, principal, int(request.path_params["participant_id"])
    )
    await services.log(
        principal,
        "participant_viewed",
        library_id=own_library(principal),
        participants=[participant.id],
        subject=f"participant:{participant.id}",
    )
    translator = getattr(services.app.assistant.translator, "name", "none")
    back = request.query_params.get("terug", "")
    return services.templates.page(
        request,
        "staff/message.html",
        principal=principal,
        csrf=principal.csrf,
        participant=participant,
        language_name=_language_name(services, participant.language),
        translator=translator if translator != "none" else "",
        back=back if back.startswith("/") and not back.startswith("//") else "",
        limit=MAX_MESSAGE,
    )


async def message_send(request: Request, principal: Principal, services: Services) -> Response:
    participant = await _participant(
        services, principal, int(request.path_params["participant_id"])
    )
    form = form_of(request)
    text = forms.text(form, "text", limit=MAX_MESSAGE)
    if not text:
        raise HTTPException(400, "Schrijf eerst een bericht.")
    library = services.app.content.libraries.library(own_library(principal))
    sent = await send(services, participant, library.name, text)
    await services.log(
        principal,
        "message_sent" if sent.delivered else "message_not_delivered",
        library_id=library.id,
        participants=[participant.id],
        subject=f"participant:{participant.id}",
    )
    back = forms.text(form, "back")
    target = (
        back
        if back.startswith("/") and not back.startswith("//")
        else f"/deelnemers/{participant.id}/bericht"
    )
    if not sent.delivered:
        return done(target, "not_sent")
    return done(target, "sent_translated" if sent.translated else "sent")


def _language_name(services: Services, code: str | None) -> str:
    for language in services.app.content.languages.languages:
        if language.code == code:
            return f"{language.name} ({code})"
    return code or "onbekend"


def routes() -> list[BaseRoute]:
    path = "/deelnemers/{participant_id:int}/bericht"
    return [
        page(path, message_form, roles=(STAFF,), name="message"),
        page(path, message_send, roles=(STAFF,), methods=("POST",), name="message_send"),
    ]
