"""The wizard's persistence: what PTB hands over each interval is written once, together,
and what a handler writes through is committed before it answers, never overwritten by an
older copy."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.runtime import Runtime
from handlers.persistence import REVISION, USER_DATA, SQLitePersistence
from storage.database import UnitOfWork


class CountedTransactions:
    """Counts the units of work opened on a database; can make the next ones fail."""

    def __init__(self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = 0
        self.failures = 0
        db = runtime.db
        original = db.unit_of_work

        @asynccontextmanager
        async def counted() -> AsyncIterator[UnitOfWork]:
            self.opened += 1
            if self.failures:
                self.failures -= 1
                await asyncio.sleep(0)  # as a real failure would, after a wait
                raise OSError("disk full")
            async with original() as uow:
                yield uow

        monkeypatch.setattr(db, "unit_of_work", counted)


@pytest.fixture
def transactions(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> CountedTransactions:
    return CountedTransactions(runtime, monkeypatch)


async def stored(runtime: Runtime) -> dict[str, Any]:
    return await runtime.db.read.conversations.load_data(USER_DATA)


async def test_the_writes_of_one_round_share_one_transaction(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    await asyncio.gather(
        persistence.update_user_data(1, {"registration": {"step": "sex"}}),
        persistence.update_user_data(2, {"registration": {"step": "age"}}),
        persistence.update_conversation("registration", (1, 1), "filling"),
    )
    assert transactions.opened == 1
    assert await stored(runtime) == {"1": {"registration": {"step": "sex"}},
                                     "2": {"registration": {"step": "age"}}}
    states = await runtime.db.read.conversations.load_states("registration")
    assert states == {"[1, 1]": "filling"}


async def test_what_the_database_already_holds_is_not_written_again(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    await persistence.update_user_data(1, {"registration": {"step": "sex"}})
    await persistence.update_conversation("registration", (1, 1), "filling")
    await persistence.update_user_data(1, {"registration": {"step": "sex"}})
    await persistence.update_conversation("registration", (1, 1), "filling")
    await persistence.update_user_data(2, {})  # nothing stored, nothing to store
    assert transactions.opened == 2
    await persistence.update_user_data(1, {"registration": {"step": "age"}})
    assert transactions.opened == 3


async def test_what_was_loaded_at_start_counts_as_written(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    await SQLitePersistence(runtime.db, 1.0).update_user_data(1, {"registration": {"n": 1}})
    restarted = SQLitePersistence(runtime.db, 1.0)
    loaded = await restarted.get_user_data()
    await restarted.update_user_data(1, {"registration": {"n": 1}})
    assert transactions.opened == 1
    loaded[1]["registration"]["n"] = 2  # PTB changes the loaded data in place
    await restarted.update_user_data(1, {"registration": {"n": 2}})
    assert transactions.opened == 2
    assert await stored(runtime) == {"1": {"registration": {"n": 2}}}


async def test_empty_data_and_ended_conversations_are_deleted(runtime: Runtime) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    await persistence.update_user_data(1, {"registration": {"step": "sex"}})
    await persistence.update_conversation("registration", (1, 1), "filling")
    await asyncio.gather(persistence.update_user_data(1, {}),
                         persistence.update_conversation("registration", (1, 1), None))
    assert await stored(runtime) == {}
    assert await runtime.db.read.conversations.load_states("registration") == {}


async def test_a_failed_round_fails_every_write_and_is_tried_again_next_time(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    transactions.failures = 1
    results = await asyncio.gather(
        persistence.update_user_data(1, {"registration": {"step": "sex"}}),
        persistence.update_user_data(2, {"registration": {"step": "age"}}),
        return_exceptions=True)
    assert all(isinstance(result, OSError) for result in results)
    assert await stored(runtime) == {}
    await persistence.update_user_data(1, {"registration": {"step": "sex"}})
    assert await stored(runtime) == {"1": {"registration": {"step": "sex"}}}


async def test_concurrent_write_throughs_share_one_transaction_with_their_states(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    first, second = {"registration": {"step": "sex"}}, {"registration": {"step": "age"}}
    await asyncio.gather(
        persistence.write_through(1, first, "registration", (1, 1), "filling"),
        persistence.write_through(2, second, "registration", (-5, 2), "filling"),
    )
    assert transactions.opened == 1
    assert await stored(runtime) == {"1": {"registration": {"step": "sex"}, REVISION: 1},
                                     "2": {"registration": {"step": "age"}, REVISION: 1}}
    states = await runtime.db.read.conversations.load_states("registration")
    assert states == {"[1, 1]": "filling", "[-5, 2]": "filling"}


async def test_a_write_through_is_a_copy_of_the_data_as_it_was(runtime: Runtime) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    data: dict[str, Any] = {"registration": {"step": "sex"}}
    writing = asyncio.ensure_future(
        persistence.write_through(1, data, "registration", (1, 1), "filling"))
    await asyncio.sleep(0)  # the write is waiting for its transaction
    data["registration"]["step"] = "age"  # the handler's next answer, not yet written
    await writing
    assert await stored(runtime) == {"1": {"registration": {"step": "sex"}, REVISION: 1}}


async def test_an_older_copy_from_a_round_never_overwrites_a_write_through(
    runtime: Runtime, transactions: CountedTransactions
) -> None:
    persistence = SQLitePersistence(runtime.db, 1.0)
    live: dict[str, Any] = {"registration": {"step": "sex"}}
    await persistence.write_through(1, live, "registration", (1, 1), "filling")
    copy_of_a_round = {"registration": {"step": "sex"}, REVISION: 1}
    live["registration"] = {"step": "age"}
    await persistence.write_through(1, live, "registration", (1, 1), "filling")
    # The round that copied the data between the two write-throughs hands it over only now.
    await persistence.update_user_data(1, copy_of_a_round)
    assert await stored(runtime) == {"1": {"registration": {"step": "age"}, REVISION: 2}}
    assert transactions.opened == 2
    # A copy taken after the last write-through is newer: the draft is gone.
    await persistence.update_user_data(1, {REVISION: 2})
    assert await stored(runtime) == {}
    # After a restart, the numbering goes on from what was stored.
    await persistence.write_through(1, live, "registration", (1, 1), "filling")
    restarted = SQLitePersistence(runtime.db, 1.0)
    await restarted.get_user_data()
    await restarted.update_user_data(1, {"registration": {"step": "sex"}, REVISION: 2})
    assert await stored(runtime) == {"1": {"registration": {"step": "age"}, REVISION: 3}}


async def test_a_round_copy_taken_before_a_conversation_ended_is_not_written_after_it(
    runtime: Runtime
) -> None:
    """The registration's transaction ends the wizard; a round that had already taken the
    draft, and waited for the writer meanwhile, must not bring it back."""
    persistence = SQLitePersistence(runtime.db, 60)
    data: dict[str, Any] = {"registration": {"step": "summary"}, "language": "th"}
    await persistence.write_through(7, data, "registration", (7, 7), "filling")

    async with runtime.db.unit_of_work() as uow:  # the use case holds the writer
        late_round = asyncio.create_task(persistence.update_user_data(
            7, {**data, "registration": {"step": "summary", "answered": True}}))
        await asyncio.sleep(0.01)  # the round took its copy and waits for the writer
        ending = persistence.ending(7, data, "registration", "registration", (7, 7))
        await uow.conversations.end(ending)
        await uow.commit()
    await late_round
    persistence.ended(data, "registration")

    stored = await runtime.db.read.conversations.load_data(USER_DATA)
    assert stored["7"] == {"language": "th", REVISION: 1}
    assert await runtime.db.read.conversations.load_states("registration") == {}
    await persistence.update_user_data(7, data)  # PTB's next round: nothing to write
    assert (await runtime.db.read.conversations.load_data(USER_DATA))["7"] == stored["7"]
