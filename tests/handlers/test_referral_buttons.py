"""A referral message's buttons, state by state: exactly the buttons people already have in
their chats, and each one an action the service lets its unit start in that state."""

import pytest

from bot.domain.models import ReferralStatus, Role, User
from bot.errors import StaleAction
from bot.flows.callback_data import NoteButton, ReferralButton
from bot.i18n import translator
from bot.runtime import Runtime
from bot.services import referrals
from handlers.referrals import referral_keyboard
from tests.conftest import add_user
from tests.support.cases import by_need, register_and_send

S = ReferralStatus
# The unit's buttons in each state, row by row: label, then callback data (`{id}`: the
# referral's id).
SHOWN = {
    S.SENT: [[("✅ Accept", "rf:{id}:accept"), ("✖ Decline", "rf:{id}:decline")],
             [("❓ Ask for information", "nt:{id}:ask")]],
    S.INFO_REQUESTED: [[("✅ Accept", "rf:{id}:accept"), ("✖ Decline", "rf:{id}:decline")]],
    S.ACCEPTED: [[("Work started", "rf:{id}:start")],
                 [("Record the outcome", "rf:{id}:complete")],
                 [("🔒 Child's details", "rf:{id}:details")]],
    S.IN_PROGRESS: [[("Record the outcome", "rf:{id}:complete")],
                    [("🔒 Child's details", "rf:{id}:details")]],
}
# Every action a referral message's button may start.
UNIT_ACTIONS = ("accept", "decline", "ask", "start", "complete", "details")


@pytest.fixture
async def primary(runtime: Runtime, coordinator: User) -> User:
    """A focal point of primary service area 1, which takes schooling in Mueang."""
    return await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001", "Khun Malai",
                          inviter=coordinator)


async def _in_state(runtime: Runtime, teacher: User, status: ReferralStatus) -> int:
    """A sent referral to primary service area 1, put straight into `status`."""
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    if status is not S.SENT:
        async with runtime.db.unit_of_work() as uow:
            assert await uow.referrals.transition(rid, from_=(S.SENT,), to=status,
                                                  now=runtime.now())
            await uow.commit()
    return rid


def _action(data: str) -> str:
    pressed = ReferralButton.unpack(data) or NoteButton.unpack(data)
    assert pressed is not None, data
    return pressed.action if isinstance(pressed, ReferralButton) else pressed.kind


@pytest.mark.parametrize("status", list(S))
async def test_a_referral_message_carries_the_same_buttons_as_before_in_every_state(
    runtime: Runtime, teacher: User, primary: User, status: ReferralStatus
) -> None:
    rid = await _in_state(runtime, teacher, status)
    view = await referrals.show(runtime.db, primary, rid)
    keyboard = referral_keyboard(view, translator("en"))
    shown = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard] \
        if keyboard else []
    assert shown == [[(label, data.format(id=rid)) for label, data in row]
                     for row in SHOWN.get(status, [])]


@pytest.mark.parametrize("status", list(S))
async def test_the_service_lets_the_unit_start_exactly_what_its_buttons_offer(
    runtime: Runtime, teacher: User, primary: User, status: ReferralStatus
) -> None:
    rid = await _in_state(runtime, teacher, status)
    keyboard = referral_keyboard(await referrals.show(runtime.db, primary, rid),
                                 translator("en"))
    offered = {_action(str(b.callback_data)) for row in keyboard.inline_keyboard
               for b in row} if keyboard else set()
    for action in UNIT_ACTIONS:
        if action in offered:
            view = await referrals.check(runtime.db, primary, rid, action)
            assert view.referral.status is status
        else:
            with pytest.raises(StaleAction):
                await referrals.check(runtime.db, primary, rid, action)
