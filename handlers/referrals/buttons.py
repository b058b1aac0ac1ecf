"""Where a press on a referral's buttons goes: one callback per kind of callback data,
handing the press to the side (teacher, unit, coordinator) whose step it is.

Every press is one service call; the service checks who is pressing and whether the
referral is still in the state the button assumed.
"""

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.errors import StaleAction
from bot.flows.callback_data import DestinationButton, ReferralButton, ReferralChoiceButton
from handlers.context import PanongContext
from handlers.referrals import coordinator, teacher, unit
from handlers.referrals.common import query_of

_REFERRAL_ACTIONS: dict[str, Callable[[Update, PanongContext, int], Awaitable[None]]] = {
    "accept": unit.accept_referral,
    "start": unit.start_referral,
    "decline": unit.ask_decline_reason,
    "complete": unit.ask_outcome,
    "back": unit.back_to_referral,
    "details": unit.show_details,
    "show": unit.show_referral,
    "withdraw": teacher.ask_withdraw_reason,
    "keep": teacher.keep_referral,
    "dismiss": coordinator.dismiss_referral,
}
_CHOICES: dict[str, Callable[[Update, PanongContext, int, str], Awaitable[None]]] = {
    "decline": unit.choose_decline_reason,
    "complete": unit.choose_outcome,
    "withdraw": teacher.choose_withdraw_reason,
}


async def press_referral(update: Update, context: PanongContext) -> None:
    """A button on a referral message (or a case's withdraw list, or the queue)."""
    pressed = ReferralButton.unpack(query_of(update).data)
    action = _REFERRAL_ACTIONS.get(pressed.action) if pressed else None
    if pressed is None or action is None:
        raise StaleAction()
    await action(update, context, pressed.referral_id)


async def choose_referral_option(update: Update, context: PanongContext) -> None:
    """A reason or an outcome from a referral's menu."""
    pressed = ReferralChoiceButton.unpack(query_of(update).data)
    choose = _CHOICES.get(pressed.action) if pressed else None
    if pressed is None or choose is None:
        raise StaleAction()
    await choose(update, context, pressed.referral_id, pressed.value)


async def choose_destination(update: Update, context: PanongContext) -> None:
    """A unit from a need's destinations: in the teacher's plan, or for a queued need."""
    pressed = DestinationButton.unpack(query_of(update).data)
    if pressed is None:
        raise StaleAction()
    unit_id = None if pressed.unit_id == teacher.COORDINATORS_DECIDE else pressed.unit_id
    if pressed.queued:
        await coordinator.send_queued(update, context, pressed.referral_id, unit_id)
    else:
        await teacher.choose_planned_destination(update, context, pressed.referral_id, unit_id)
