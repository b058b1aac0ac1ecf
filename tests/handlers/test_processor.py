"""One chat's updates in order; different chats at the same time."""

import asyncio

from telegram import Bot

from handlers.processor import PerChatUpdateProcessor
from tests.support.telegram_fake import FakeUser, channel_post_update, text_update

BOT = Bot("123:ABC")


async def test_updates_of_one_chat_wait_while_other_chats_go_ahead() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=16)
    events: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        events.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        events.append(f"end {name}")

    teacher_a, teacher_b = FakeUser(id=1), FakeUser(id=2)
    async with processor:
        first = asyncio.create_task(processor.process_update(
            text_update(BOT, teacher_a, "1"), handle("a1", release_first)))
        second = asyncio.create_task(processor.process_update(
            text_update(BOT, teacher_a, "2"), handle("a2")))
        other = asyncio.create_task(processor.process_update(
            text_update(BOT, teacher_b, "x"), handle("b1")))
        await other
        assert events == ["start a1", "start b1", "end b1"]  # b ran while a1 was busy
        assert processor.busy_chats == 1
        release_first.set()
        await asyncio.gather(first, second)
    assert events[3:] == ["end a1", "start a2", "end a2"]
    assert processor.busy_chats == 0  # no lock kept for idle chats


async def test_updates_without_a_chat_or_user_run_without_a_lock() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=4)
    done = []

    async def handle() -> None:
        done.append(True)

    async with processor:
        assert processor.ordering_key(channel_post_update(BOT, "news")) is not None
        await processor.process_update(object(), handle())
    assert done == [True]
