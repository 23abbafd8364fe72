"""A fake Telegram Bot API server on 127.0.0.1 for tests, benchmarks and demos.

It speaks the real HTTP/JSON protocol, so the real python-telegram-bot `Application` can poll it
or receive webhooks from it, while `Participant` plays the people writing to the bot.
"""

from .client import Participant
from .errors import BotApiError
from .faults import CallLog, CallRecord, Fault, Faults
from .media import MEDIA_KINDS, MediaKind
from .methods import SUPPORTED_METHODS
from .models import CallbackQueryRecord, ChatActionRecord
from .remote import RemoteError, RemoteParticipant
from .server import DEFAULT_TOKEN, BotApiApp, BotApiServer, LoopbackServer
from .views import ChatMessage, SentDocument

__all__ = [
    "DEFAULT_TOKEN",
    "MEDIA_KINDS",
    "SUPPORTED_METHODS",
    "BotApiApp",
    "BotApiError",
    "BotApiServer",
    "CallLog",
    "CallRecord",
    "CallbackQueryRecord",
    "ChatActionRecord",
    "ChatMessage",
    "Fault",
    "Faults",
    "LoopbackServer",
    "MediaKind",
    "Participant",
    "RemoteError",
    "RemoteParticipant",
    "SentDocument",
]
