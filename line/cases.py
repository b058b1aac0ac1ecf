"""A person's cases on LINE: /mycases a page at a time, /case CODE as a card (a Flex
bubble) with what they may do from it, and those actions: withdraw a referral (its reason
is `line.referrals`'), record that the child moved and send the needs anew. Sending a
case's referrals from the card is `line.plan`'s; a reminder set from it, `line.reminders`'.

The card shows what Telegram's shows to the same person (`presenters.case_card`: the
identity number masked); its alt text, all that a notification or the chat list shows,
is the case's code only.
"""

from linebot.v3.messaging import FlexMessage

from bot import presenters
from bot.errors import StaleAction
from bot.flows import choices
from bot.flows.callback_data import (
    CaseActionButton,
    CasesPageButton,
    MoveDistrictButton,
    MovePlanButton,
    OpenCaseButton,
)
from bot.services import cases, referrals
from line.render import card_message, offered, text_message
from line.turn import Answer, Postback, Routes, Turn

# The card's actions taken here (send is `line.plan`'s, remind `line.reminders`').
_ACTIONS = frozenset({"withdraw", "moved"})


async def _list(turn: Turn, page: int) -> Answer:
    runtime, t = turn.runtime, turn.t
    found = await cases.my_cases(runtime.db, turn.actor, page)
    return [text_message(
        presenters.case_list(found, t, runtime.geography, runtime.settings.tz),
        [*((t("button-open-case", code=summary.code), OpenCaseButton(code=summary.code).pack())
           for summary in found.cases),
         *offered(choices.pager(found.page, found.pages, CasesPageButton, t))])]


async def _my_cases(turn: Turn) -> Answer:
    return await _list(turn, 0)


async def _page(turn: Turn) -> Answer:
    pressed = CasesPageButton.unpack(turn.postback)
    assert pressed is not None
    return await _list(turn, pressed.page)


async def _card(turn: Turn, code: str) -> FlexMessage:
    runtime, t = turn.runtime, turn.t
    card = await cases.open_case(runtime.db, turn.actor, code)
    parts = presenters.case_card_parts(card, t, runtime.geography, runtime.today(),
                                       runtime.settings.tz)
    return card_message(parts.title, parts.fields, alt_text=parts.title,
                        sections=parts.sections, buttons=offered(choices.case_card(card, t)))


async def _show_case(turn: Turn) -> Answer:
    """/case CODE."""
    if len(turn.argument.split()) != 1:
        return [text_message(turn.t("case-usage"))]
    return [await _card(turn, turn.argument)]


async def _open_case(turn: Turn) -> Answer:
    pressed = OpenCaseButton.unpack(turn.postback)
    assert pressed is not None
    return [await _card(turn, pressed.code)]


def _is_case_action(data: str) -> bool:
    pressed = CaseActionButton.unpack(data)
    return pressed is not None and pressed.action in _ACTIONS


async def _case_action(turn: Turn) -> Answer:
    pressed = CaseActionButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    if pressed.action == "withdraw":
        views = await referrals.withdrawable(runtime.db, turn.actor, pressed.case_id)
        return [text_message(t("withdraw-which") if views else t("withdraw-none"),
                             offered(choices.withdrawable(views, t)))]
    # Asking first checks that the actor holds the case.
    await referrals.move_plan(runtime.db, turn.actor, pressed.case_id,
                              rules=runtime.routing, today=runtime.today())
    return [text_message(t("move-ask-district"), offered(choices.districts(
        pressed.case_id, runtime.geography, t)))]


async def _record_move(turn: Turn) -> Answer:
    pressed = MoveDistrictButton.unpack(turn.postback)
    runtime, t = turn.runtime, turn.t
    if pressed is None or runtime.geography.district(pressed.district_code) is None:
        raise StaleAction()
    plan = await referrals.record_move(runtime.db, turn.actor, pressed.case_id,
                                       pressed.district_code, rules=runtime.routing,
                                       now=runtime.now(), today=runtime.today())
    return [text_message(presenters.move_text(plan, t, runtime.geography),
                         offered(choices.after_move(plan.case.id, t)) if plan.items else ())]


async def _after_move(turn: Turn) -> Answer:
    pressed = MovePlanButton.unpack(turn.postback)
    assert pressed is not None
    runtime, t = turn.runtime, turn.t
    if pressed.action == "keep":
        return [text_message(t("nothing-changed"))]
    if pressed.action != "reroute":
        raise StaleAction()
    changes = await referrals.reroute_after_move(
        runtime.db, turn.actor, pressed.case_id, rules=runtime.routing, now=runtime.now(),
        today=runtime.today(), default_language=runtime.settings.default_language)
    return [text_message(presenters.sent_text(changes, t))]


ROUTES = Routes(
    commands={"/mycases": _my_cases, "/case": _show_case},
    postbacks=[
        Postback(lambda data: CasesPageButton.unpack(data) is not None, _page),
        Postback(lambda data: OpenCaseButton.unpack(data) is not None, _open_case),
        Postback(_is_case_action, _case_action),
        Postback(lambda data: MoveDistrictButton.unpack(data) is not None, _record_move),
        Postback(lambda data: MovePlanButton.unpack(data) is not None, _after_move),
    ],
)
