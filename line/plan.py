"""The routing plan on LINE, for the case's holder: after a child is registered (or from a
case's "send"), where each need would go, to change, send or leave for later; and, for the
coordinators' queue, where a waiting need goes. The same services as Telegram's
(`handlers.referrals.teacher`, `coordinator.send_queued`); LINE cannot edit the plan's
message, so each press is answered with the plan as it is now, as a new message.
"""

from linebot.v3.messaging import TextMessage

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import (
    COORDINATORS_DECIDE,
    CaseActionButton,
    DestinationButton,
    DestinationListButton,
    DestinationPageButton,
    PlanButton,
)
from bot.i18n import Translator
from bot.services import referrals
from bot.services.referrals import Plan
from line.render import paged, text_message
from line.turn import Answer, Postback, Routes, Turn


def plan_message(plan: Plan, t: Translator) -> TextMessage:
    """Where each need would go, with a change for each, then send and later."""
    case_id = plan.case.id
    return text_message(presenters.plan_text(plan, t), [
        *[(t("button-change-destination", need=t(f"need-{view.referral.need}")),
           DestinationListButton(referral_id=view.referral.id, queued=0).pack())
          for view in plan.views],
        (t("button-send"), PlanButton(case_id=case_id, action="send").pack()),
        (t("button-later"), PlanButton(case_id=case_id, action="later").pack())])


async def offer_plan(turn: Turn, case_id: int) -> Answer:
    """The case's plan, when it has needs to send (nothing otherwise)."""
    found = await referrals.plan(turn.runtime.db, turn.actor, case_id)
    return [plan_message(found, turn.t)] if found.views else []


async def _press_plan(turn: Turn) -> Answer:
    pressed = PlanButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    if pressed.action == "send":
        changes = await referrals.send(runtime.db, turn.actor, pressed.case_id,
                                       now=runtime.now(),
                                       default_language=runtime.settings.default_language)
        return [text_message(presenters.sent_text(changes, t))]
    if pressed.action == "later":
        found = await referrals.plan(runtime.db, turn.actor, pressed.case_id)
        return [text_message(t("plan-later", code=found.case.code))]
    return [await _plan_now(turn, pressed.case_id)]


async def _plan_now(turn: Turn, case_id: int) -> TextMessage:
    """The plan as it is now, or word that nothing waits to be sent."""
    found = await referrals.plan(turn.runtime.db, turn.actor, case_id)
    return plan_message(found, turn.t) if found.views \
        else text_message(presenters.plan_text(found, turn.t))


async def _list_destinations(turn: Turn) -> Answer:
    """The units a need could go to instead: one of the plan's (or the coordinators
    decide), or one waiting in the coordinators' queue."""
    listed = DestinationListButton.unpack(turn.postback)
    if listed is not None:
        referral_id, queued, page = listed.referral_id, listed.queued, 0
    else:
        paging = DestinationPageButton.unpack(turn.postback)
        assert paging is not None
        referral_id, queued, page = paging.referral_id, paging.queued, paging.page
    runtime, t = turn.runtime, turn.t
    units = await referrals.destinations(runtime.db, turn.actor, referral_id, runtime.today())
    choices = [(unit.short_name(t.lang), DestinationButton(
        referral_id=referral_id, queued=queued, unit_id=unit.id).pack()) for unit in units]
    # The queue's "dismiss" is a referral action, not on LINE yet (`line.referrals`).
    fixed = [] if queued else [(t("button-coordinators-decide"), DestinationButton(
        referral_id=referral_id, queued=0, unit_id=COORDINATORS_DECIDE).pack())]
    return [text_message(t("line-choose-destination"), paged(
        choices, fixed, page, lambda n: DestinationPageButton(
            referral_id=referral_id, queued=queued, page=n).pack(), t))]


async def _choose_destination(turn: Turn) -> Answer:
    """A unit for a need: of the plan (shown again, changed), or from the queue (sent)."""
    pressed = DestinationButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    unit_id = None if pressed.unit_id == COORDINATORS_DECIDE else pressed.unit_id
    if not pressed.queued:
        found = await referrals.choose_destination(runtime.db, turn.actor, pressed.referral_id,
                                                   unit_id, now=runtime.now())
        return [plan_message(found, t)]
    if unit_id is None:
        raise StaleAction()
    change = await referrals.reroute(runtime.db, turn.actor, pressed.referral_id, unit_id,
                                     now=runtime.now(),
                                     default_language=runtime.settings.default_language)
    return [text_message(presenters.sent_text([change], t))]


def _is_send(data: str) -> bool:
    pressed = CaseActionButton.unpack(data)
    return pressed is not None and pressed.action == "send"


async def _send_from_case(turn: Turn) -> Answer:
    """A case's "send" (`CaseActionButton`; its other actions are not this module's)."""
    pressed = CaseActionButton.unpack(turn.postback)
    assert pressed is not None
    return [await _plan_now(turn, pressed.case_id)]


ROUTES = Routes(postbacks=[
    Postback(lambda data: PlanButton.unpack(data) is not None, _press_plan),
    Postback(lambda data: DestinationListButton.unpack(data) is not None
             or DestinationPageButton.unpack(data) is not None, _list_destinations),
    Postback(lambda data: DestinationButton.unpack(data) is not None, _choose_destination),
    Postback(_is_send, _send_from_case),
])
