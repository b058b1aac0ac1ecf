"""Every call to Telegram goes through here: its flood limits, and retries when it fails.

PTB's `AIORateLimiter` keeps to Telegram's flood limits and waits out a 429's
`retry_after`. It does not retry the other passing failures: a 5xx from Telegram, a
timeout, a dropped connection. This limiter tries those again after a growing pause. A
call that still fails reaches the error handler, which tells the user later (see
`handlers.errors`).

Sending is at least once: a request that timed out after Telegram had taken it is sent
again, and arrives twice.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, *, retries: int, backoff: float, flood_limits: bool = True) -> None:
        """`retries`: how many times a failed call is tried again, for a 429 as for a
        network failure; `backoff`: the first pause in seconds, doubled at each retry.
        Without `flood_limits` nothing is throttled (tests, benchmarks)."""
        if flood_limits:
            super().__init__(max_retries=retries)
        else:
            super().__init__(overall_max_rate=0, group_max_rate=0, max_retries=retries)
        self._retries = retries
        self._backoff = backoff
        # Bulk sends waiting for room, one at a time (see `leave_room`).
        self._bulk = asyncio.Lock()

    async def leave_room(self, reserve: int, patience: float = 0.2) -> None:
        """Wait until the flood limit has `reserve` calls to spare beyond the next one, so
        that owed messages sent in bulk (the outbox) do not make people wait for their
        answers. In steady state the bulk still goes at the full rate: it only keeps out of
        the last few places. (PTB keeps its overall limiter as `_base_limiter`, an
        aiolimiter `AsyncLimiter`.)

        One bulk call at a time waits for room, the others wait their turn behind it, so
        that at most one is ever queued in the limiter ahead of an answer. It waits
        `patience` seconds at most: while people use the whole limit themselves, the bulk
        still gets a place about that often (up to five a second), so notices owed to them
        are not held up for good. When every bulk call had its own patience, dozens were
        in flight (the outbox's 64), all gave up at once and queued ahead of the people
        who came after them: answers waited one to three seconds in `bench/outbox.py`."""
        limiter = self._base_limiter
        if limiter is None or reserve <= 0:
            return
        pause = 1 / limiter.max_rate
        async with self._bulk:
            # The bucket empties with time, not on an event: look again after one call's
            # worth.
            for _ in range(max(1, round(patience / pause))):
                if limiter.has_capacity(reserve + 1):
                    return
                await asyncio.sleep(pause)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                      rate_limit_args)
            except BadRequest:
                raise  # Telegram refused the call itself: trying again changes nothing.
            except NetworkError as error:  # 5xx, timeouts, connection errors
                if attempt == self._retries:
                    raise
                pause = self._backoff * 2**attempt
                log.warning("%s failed (%s); trying again in %.1f s", endpoint, error, pause)
                await asyncio.sleep(pause)
                attempt += 1
