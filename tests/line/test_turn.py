"""The LINE adapter's route table and the store of what a person is in the middle of."""

import pytest

from bot.runtime import Runtime
from line.conversation import Doing, ending, recall, remember
from line.turn import Postback, Routes, Turn, joined
from storage.conversations import USER_DATA

PERSON = "U" + "5" * 32


async def _nothing(turn: Turn) -> list:
    return []


def test_a_command_or_a_flow_claimed_by_two_modules_is_refused() -> None:
    first = Routes(commands={"/new": _nothing}, flows={"registration": _nothing})
    with pytest.raises(ValueError, match="/new"):
        joined(first, Routes(commands={"/new": _nothing}))
    with pytest.raises(ValueError, match="registration"):
        joined(first, Routes(flows={"registration": _nothing}))
    both = joined(first, Routes(commands={"/case": _nothing},
                                postbacks=[Postback(lambda data: True, _nothing)]))
    assert set(both.commands) == {"/new", "/case"} and len(both.postbacks) == 1


async def test_what_a_person_is_doing_is_kept_and_its_end_leaves_the_rest(
        runtime: Runtime) -> None:
    assert await recall(runtime.db, PERSON) == Doing()
    doing = Doing(flow="registration", data={"registration": {"step": "sex"},
                                             "note": {"referral": 7}})
    await remember(runtime.db, PERSON, doing)
    assert await recall(runtime.db, PERSON) == doing

    async with runtime.db.unit_of_work() as uow:
        await uow.conversations.end(ending(PERSON, doing, "registration"))
        await uow.commit()
    assert await recall(runtime.db, PERSON) == Doing(data={"note": {"referral": 7}})

    await remember(runtime.db, PERSON, Doing())  # nothing left: no row at all
    assert await runtime.db.read.conversations.get_data(USER_DATA, PERSON) is None
