"""The server's state in one place: what handlers, the HTTP app and the participant share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .errors import forbidden
from .faults import CallLog, Faults
from .models import BotState, ChatState
from .params import Params
from .updates import UpdateStore
from .webhook import Webhook


class Backend:
    """One fake bot account: its chats, update queue, webhook, faults and call log."""

    def __init__(
        self,
        token: str,
        *,
        clock: Callable[[], float] = time.time,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        self.token = token
        self.state = BotState(token, clock)
        self.updates = UpdateStore()
        self.webhook = Webhook(self.updates, clock, retry_delay=webhook_retry_delay)
        self.faults = Faults()
        self.calls = CallLog()
        # Edits of inline-mode messages (inline_message_id -> latest text), for completeness.
        self.inline_edits: dict[str, str] = {}
        self.closed = asyncio.Event()

    def writable_chat(self, params: Params) -> ChatState:
        """The target chat of a send, refusing like Telegram when the user blocked the bot."""
        chat = self.state.chat(params.chat_id())
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    async def close(self) -> None:
        self.closed.set()
        self.updates.close()
        await self.webhook.close()
