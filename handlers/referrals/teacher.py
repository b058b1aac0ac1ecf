"""The case holder's side in chat (its teacher, or a coordinator): the routing plan and its
destinations, then send; from a case card, send, withdraw a referral or record that the
child moved and send the needs anew."""

from telegram import InlineKeyboardMarkup, Message, Update

from bot import presenters
from bot.domain.models import WithdrawReason
from bot.errors import StaleAction
from bot.flows import choices
from bot.flows.callback_data import (
    COORDINATORS_DECIDE,
    CaseActionButton,
    DestinationButton,
    DestinationListButton,
    MoveDistrictButton,
    MovePlanButton,
    PlanButton,
    ReferralButton,
)
from bot.i18n import Translator
from bot.services import referrals
from bot.services.referrals import Plan
from handlers.context import PanongContext
from handlers.keyboards import button, rows
from handlers.referrals.common import chosen, query_of

# --- the routing plan -------------------------------------------------------------------


def plan_keyboard(plan: Plan, t: Translator) -> InlineKeyboardMarkup | None:
    if not plan.views:
        return None
    layout = [[button(t("button-change-destination", need=t(f"need-{view.referral.need}")),
                      DestinationListButton(referral_id=view.referral.id, queued=0))]
              for view in plan.views]
    layout.append([button(t("button-send"), PlanButton(case_id=plan.case.id, action="send")),
                   button(t("button-later"), PlanButton(case_id=plan.case.id, action="later"))])
    return InlineKeyboardMarkup(layout)


async def offer_plan(message: Message, context: PanongContext, case_id: int) -> None:
    """After a case is saved (or from its card): where each need would go, to change or
    send."""
    plan = await referrals.plan(context.runtime.db, context.actor, case_id)
    if plan.views:
        await message.reply_text(presenters.plan_text(plan, context.t),
                                 reply_markup=plan_keyboard(plan, context.t))


async def press_plan(update: Update, context: PanongContext) -> None:
    query = query_of(update)
    pressed = PlanButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if pressed.action == "send":
        changes = await referrals.send(runtime.db, context.actor, pressed.case_id,
                                       now=runtime.now(),
                                       default_language=runtime.settings.default_language)
        await query.answer()
        await query.edit_message_text(presenters.sent_text(changes, t))
        return
    plan = await referrals.plan(runtime.db, context.actor, pressed.case_id)
    await query.answer()
    if pressed.action == "later":
        await query.edit_message_text(t("plan-later", code=plan.case.code))
    else:
        await query.edit_message_text(presenters.plan_text(plan, t),
                                      reply_markup=plan_keyboard(plan, t))


async def list_destinations(update: Update, context: PanongContext) -> None:
    """The units a need could go to instead, as buttons: a need of the teacher's plan, or
    one in the coordinators' queue (which may be dismissed instead)."""
    query = query_of(update)
    pressed = DestinationListButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    units = await referrals.destinations(runtime.db, context.actor, pressed.referral_id,
                                         runtime.today())
    rid, queued = pressed.referral_id, pressed.queued
    layout = [[button(unit.short_name(t.lang),
                      DestinationButton(referral_id=rid, queued=queued, unit_id=unit.id))]
              for unit in units]
    if queued:
        layout.append([button(t("button-dismiss"),
                              ReferralButton(referral_id=rid, action="dismiss"))])
    else:
        layout.append([button(t("button-coordinators-decide"), DestinationButton(
            referral_id=rid, queued=0, unit_id=COORDINATORS_DECIDE))])
    await query.answer()
    await query.edit_message_reply_markup(InlineKeyboardMarkup(layout))


async def choose_planned_destination(update: Update, context: PanongContext, referral_id: int,
                                     unit_id: str | None) -> None:
    """A need of the plan goes to this unit (None: the coordinators decide)."""
    runtime, t, query = context.runtime, context.t, query_of(update)
    plan = await referrals.choose_destination(runtime.db, context.actor, referral_id, unit_id,
                                              now=runtime.now())
    await query.answer()
    await query.edit_message_text(presenters.plan_text(plan, t),
                                  reply_markup=plan_keyboard(plan, t))


# --- from a case card: send, withdraw, moved --------------------------------------------


async def press_case_action(update: Update, context: PanongContext) -> None:
    query = query_of(update)
    pressed = CaseActionButton.unpack(query.data)
    if pressed is None or query.message is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if pressed.action == "send":
        await query.answer()
        await offer_plan(query.message, context, pressed.case_id)
    elif pressed.action == "withdraw":
        views = await referrals.withdrawable(runtime.db, context.actor, pressed.case_id)
        layout = [[button(label, data)] for label, data in choices.withdrawable(views, t)]
        await query.answer()
        await query.message.reply_text(t("withdraw-which") if views else t("withdraw-none"),
                                       reply_markup=InlineKeyboardMarkup(layout))
    elif pressed.action == "moved":
        # Asking first checks that the actor holds the case.
        await referrals.move_plan(runtime.db, context.actor, pressed.case_id,
                                  rules=runtime.routing, today=runtime.today())
        districts = [button(label, data) for label, data in choices.districts(
            pressed.case_id, runtime.geography, t)]
        await query.answer()
        await query.message.reply_text(t("move-ask-district"),
                                       reply_markup=InlineKeyboardMarkup(rows(districts, 2)))
    else:
        raise StaleAction()


async def ask_withdraw_reason(update: Update, context: PanongContext, referral_id: int) -> None:
    view = await referrals.check(context.runtime.db, context.actor, referral_id, "withdraw")
    t = context.t
    menu = choices.withdraw_reasons(referral_id, t)
    layout = rows([button(label, data) for label, data in menu.choices], 2)
    layout += [[button(label, data)] for label, data in menu.extra]
    query = query_of(update)
    await query.answer()
    await query.edit_message_text(
        t("withdraw-ask", code=view.case_code, need=t(f"need-{view.referral.need}"),
          unit=view.unit.short_name(t.lang) if view.unit else t("referral-to-coordinators")),
        reply_markup=InlineKeyboardMarkup(layout))


async def choose_withdraw_reason(update: Update, context: PanongContext, referral_id: int,
                                 value: str) -> None:
    runtime, t, query = context.runtime, context.t, query_of(update)
    change = await referrals.withdraw(runtime.db, context.actor, referral_id,
                                      chosen(WithdrawReason, value), now=runtime.now(),
                                      default_language=runtime.settings.default_language)
    await query.answer()
    await query.edit_message_text(t("withdraw-done", code=change.view.case_code,
                                    need=t(f"need-{change.view.referral.need}")))


async def keep_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    query = query_of(update)
    await query.answer()
    await query.edit_message_text(context.t("nothing-changed"))


async def record_move(update: Update, context: PanongContext) -> None:
    query = query_of(update)
    pressed = MoveDistrictButton.unpack(query.data)
    runtime, t = context.runtime, context.t
    if pressed is None or runtime.geography.district(pressed.district_code) is None:
        raise StaleAction()
    plan = await referrals.record_move(runtime.db, context.actor, pressed.case_id,
                                       pressed.district_code, rules=runtime.routing,
                                       now=runtime.now(), today=runtime.today())
    keyboard = None
    if plan.items:
        keyboard = InlineKeyboardMarkup([[button(label, data) for label, data
                                          in choices.after_move(plan.case.id, t)]])
    await query.answer()
    await query.edit_message_text(presenters.move_text(plan, t, runtime.geography),
                                  reply_markup=keyboard)


async def press_move_plan(update: Update, context: PanongContext) -> None:
    query = query_of(update)
    pressed = MovePlanButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if pressed.action == "keep":
        await query.answer()
        await query.edit_message_text(t("nothing-changed"))
        return
    if pressed.action != "reroute":
        raise StaleAction()
    changes = await referrals.reroute_after_move(
        runtime.db, context.actor, pressed.case_id, rules=runtime.routing, now=runtime.now(),
        today=runtime.today(), default_language=runtime.settings.default_language)
    await query.answer()
    await query.edit_message_text(presenters.sent_text(changes, t))
