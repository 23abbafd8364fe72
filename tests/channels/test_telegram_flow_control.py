"""Order per chat, concurrency across chats, floods, redeliveries, 429s and network errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.keyboards import KeyboardTracker, Shown
from bot.channels.telegram.processor import ChatOrderedProcessor, RecentUpdates
from bot.channels.telegram.ratelimit import FloodControl, Limits

# Building a RetryAfter warns that its field becomes a timedelta in PTB 23; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
_next_id = iter(range(1, 1_000_000))


def text_update(chat_id: int, text: str = "hallo", update_id: int | None = None) -> Update:
    data = {
        "update_id": update_id if update_id is not None else next(_next_id),
        "message": {
            "message_id": 1,
            "date": 1,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }
    parsed = Update.de_json(data, None)
    assert parsed is not None
    return parsed


async def feed(processor: ChatOrderedProcessor, updates: list[Update], handle: Any) -> None:
    """As PTB's Application does with concurrent updates: one task per update, in order."""
    tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in updates]
    await asyncio.gather(*tasks)


async def test_one_chat_in_order_while_another_chat_runs_alongside() -> None:
    processor = ChatOrderedProcessor(4, max_pending_per_chat=100)
    seen: list[tuple[int, str]] = []
    a_started = asyncio.Event()
    b_done = asyncio.Event()

    async def handle(update: Update) -> None:
        assert update.message is not None and update.message.text is not None
        chat, text = update.message.chat.id, update.message.text
        if (chat, text) == (1, "0"):
            a_started.set()
            await b_done.wait()  # chat 1's first turn is slow; chat 2 must not wait for it
        await asyncio.sleep(0)
        seen.append((chat, text))
        if chat == 2:
            b_done.set()

    updates = [text_update(1, str(i)) for i in range(20)] + [text_update(2, "b")]
    await feed(processor, updates, handle)
    assert seen[0] == (2, "b")
    assert [text for chat, text in seen if chat == 1] == [str(i) for i in range(20)]


async def test_concurrent_turns_are_bounded() -> None:
    processor = ChatOrderedProcessor(3)
    running = 0
    most = 0

    async def handle(update: Update) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001)
        running -= 1

    await feed(processor, [text_update(chat) for chat in range(1, 31)], handle)
    assert most == 3


async def test_a_flood_from_one_chat_is_cut_off_without_touching_others() -> None:
    processor = ChatOrderedProcessor(8, max_pending_per_chat=3)
    done: list[int] = []

    async def handle(update: Update) -> None:
        await asyncio.sleep(0.001)
        assert update.effective_chat is not None
        done.append(update.effective_chat.id)

    flood = [text_update(1) for _ in range(50)]
    await feed(processor, [*flood, text_update(2)], handle)
    assert done.count(1) == 3
    assert done.count(2) == 1
    assert processor.dropped == 47


async def test_a_redelivered_update_is_handled_once() -> None:
    processor = ChatOrderedProcessor(4)
    handled: list[int] = []

    async def handle(update: Update) -> None:
        handled.append(update.update_id)

    first = text_update(5, update_id=900)
    await feed(processor, [first, text_update(5, update_id=900), text_update(5)], handle)
    assert handled.count(900) == 1
    assert len(handled) == 2


async def test_recent_updates_forgets_the_oldest() -> None:
    gate = RecentUpdates(size=2)
    assert [await gate.first_time(i) for i in (1, 2, 1, 3, 1)] == [True, True, False, True, True]


# -- outgoing ---------------------------------------------------------------------------------


def limiter(**overrides: Any) -> FloodControl:
    return FloodControl(Limits(backoff=0.001, **overrides))


async def call(
    control: FloodControl, outcome: Any, chat_id: int | None = 7, endpoint: str = "sendMessage"
) -> Any:
    data = {"chat_id": chat_id} if chat_id is not None else {}
    return await control.process_request(outcome, (), {}, endpoint, data, None)


def failing(*errors: Exception) -> Any:
    remaining = list(errors)
    calls = 0

    async def callback() -> dict[str, bool]:
        nonlocal calls
        calls += 1
        if remaining:
            raise remaining.pop(0)
        return {"ok": True}

    callback.calls = lambda: calls  # type: ignore[attr-defined]
    return callback


async def test_network_errors_are_retried_until_it_works() -> None:
    callback = failing(NetworkError("Bad Gateway"), TimedOut("slow"))
    assert await call(limiter(), callback) == {"ok": True}
    assert callback.calls() == 3


async def test_bad_requests_are_not_retried() -> None:
    callback = failing(BadRequest("message is not modified"))
    with pytest.raises(BadRequest):
        await call(limiter(), callback)
    assert callback.calls() == 1


async def test_retries_stop_after_the_limit() -> None:
    callback = failing(*[NetworkError("down")] * 10)
    with pytest.raises(NetworkError):
        await call(limiter(max_retries=2), callback)
    assert callback.calls() == 3


async def test_a_429_pauses_only_that_chat() -> None:
    control = limiter()
    order: list[str] = []
    # Telegram's smallest wait is one second; the test sees chat 8 pass chat 7 meanwhile.
    slow = failing(RetryAfter(1))

    async def chat_7() -> None:
        await call(control, slow, chat_id=7)
        order.append("7")

    async def chat_8() -> None:
        await asyncio.sleep(0.01)
        await call(control, failing(), chat_id=8)
        order.append("8")

    await asyncio.gather(chat_7(), chat_8())
    assert order == ["8", "7"]
    assert slow.calls() == 2
    assert control.retries == 1


async def test_a_private_chat_gets_a_burst_then_its_own_pace() -> None:
    control = limiter(private_per_second=1000, private_burst=2)
    results = [await call(control, failing(), chat_id=9) for _ in range(5)]
    assert results == [{"ok": True}] * 5


def test_the_tracker_returns_what_to_clear_and_keeps_links() -> None:
    tracker = KeyboardTracker(max_chats=2)
    assert tracker.replace(1, [Shown(10)]) == []
    tracker.add(1, [Shown(11)])
    step = Shown(12, ((("Website", "https://www.digid.nl"),),))
    assert tracker.replace(1, [step]) == [Shown(10), Shown(11)]
    assert tracker.current(1) == [step]
    tracker.replace(2, [Shown(20)])
    tracker.replace(3, [Shown(30)])
    assert tracker.current(1) == [], "the least recent chat is forgotten first"
