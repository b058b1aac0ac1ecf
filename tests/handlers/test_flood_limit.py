"""Telegram's flood limit, shared by people's answers and the outbox's bulk sends: the bulk
keeps out of its last few places, so that an answer never queues behind it."""

import asyncio

from handlers.retries import RetryingRateLimiter

LIMIT = 30  # calls a second: PTB's overall limit, Telegram's
RESERVE = 3


async def test_bulk_sends_that_ran_out_of_patience_do_not_queue_ahead_of_an_answer() -> None:
    limiter = RetryingRateLimiter(retries=0, backoff=0)
    went: list[str] = []

    async def call(who: str) -> None:
        async def made() -> bool:
            went.append(who)
            return True

        await limiter.process_request(made, (), {}, "sendMessage", {"chat_id": 1}, None)

    for _ in range(LIMIT):  # the limit used up
        await call("earlier")

    async def bulk() -> None:
        await limiter.leave_room(RESERVE, patience=0.1)
        await call("bulk")

    sends = [asyncio.create_task(bulk()) for _ in range(LIMIT)]
    await asyncio.sleep(0.3)  # every bulk send has waited longer than its patience
    ahead = len(went)
    await call("answer")
    await asyncio.gather(*sends)

    # At most one bulk send waits in the limiter at a time: the one that ran out of
    # patience, if any. Each used to go and wait there once its own patience was over.
    assert went.index("answer") - ahead <= 1
    assert went.count("bulk") == LIMIT
