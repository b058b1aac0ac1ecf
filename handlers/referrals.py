"""Referrals in chat: the teacher's routing plan, the unit's referral messages and their
buttons, /inbox, /queue, withdrawals, moves and /linkgroup.

Every press is one service call; the service checks who is pressing and whether the
referral is still in the state the button assumed. What changed is then shown: every copy
of a referral message is edited, new ones are sent, and the people concerned are told.
"""

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot import presenters
from bot.domain.models import DeclineReason, Outcome, WithdrawReason
from bot.errors import ReferralAlreadyTaken, StaleAction
from bot.flows.referrals import ACTIONS, Action, Side, available
from bot.i18n import Translator, translator
from bot.runtime import Runtime
from bot.services import referrals
from bot.services.cases import CaseCard
from bot.services.referrals import Change, Plan, ReferralView
from handlers.callback_data import (
    CaseActionButton,
    DestinationButton,
    DestinationListButton,
    InboxPageButton,
    MoveDistrictButton,
    MovePlanButton,
    NoteButton,
    PlanButton,
    QueuePageButton,
    ReferralButton,
    ReferralChoiceButton,
    action_data,
)
from handlers.context import CHANNEL, PanongContext
from handlers.errors import is_not_modified
from handlers.keyboards import button, paged, rows
from handlers.pages import paginated

log = logging.getLogger(__name__)

# DestinationButton's unit for "let the coordinators decide".
COORDINATORS_DECIDE = "-"
# The unit's first answers share a row; every other action has a row of its own.
_SIDE_BY_SIDE = frozenset({"accept", "decline"})
WITHDRAW = ACTIONS["withdraw"]


# --- showing referrals ------------------------------------------------------------------


def referral_keyboard(view: ReferralView, t: Translator) -> InlineKeyboardMarkup | None:
    """The buttons a referral message carries in its current state: what its unit may do."""
    actions = available(view.referral.status, Side.UNIT)
    if not actions:
        return None

    def pressable(action: Action) -> InlineKeyboardButton:
        return button(t(action.label), action_data(action, view.referral.id))

    paired = [pressable(action) for action in actions if action.name in _SIDE_BY_SIDE]
    alone = [[pressable(action)] for action in actions if action.name not in _SIDE_BY_SIDE]
    return InlineKeyboardMarkup([paired, *alone] if paired else alone)


def referral_message(view: ReferralView, t: Translator,
                     runtime: Runtime) -> tuple[str, InlineKeyboardMarkup | None]:
    """A referral message's text and buttons in its current state."""
    return (presenters.referral_text(view, t, runtime.geography, runtime.today()),
            referral_keyboard(view, t))


async def _settle(update: Update, context: PanongContext, change: Change) -> None:
    """The pressed message shows at once what the press did. A copy of the referral shows
    its new state (the outbox brings the other copies up to date, and finds this one so
    already); a press anywhere else (a reminder) takes its buttons away, since what they
    offered is done."""
    query = _query(update)
    message = query.message
    if message is None:
        return
    copy = next((d for d in change.deliveries if d.message_id == str(message.message_id)
                 and d.chat_id == str(message.chat.id)), None)
    try:
        if copy is None:
            await query.edit_message_reply_markup(None)
        else:
            text, keyboard = referral_message(change.view, translator(copy.language),
                                              context.runtime)
            await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


def _query(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


# --- the unit's buttons -----------------------------------------------------------------


async def press_referral(update: Update, context: PanongContext) -> None:
    """A button on a referral message (or a case's withdraw list)."""
    pressed = ReferralButton.unpack(_query(update).data)
    action = _REFERRAL_ACTIONS.get(pressed.action) if pressed else None
    if pressed is None or action is None:
        raise StaleAction()
    await action(update, context, pressed.referral_id)


async def accept_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime, query = context.runtime, _query(update)
    try:
        change = await referrals.accept(runtime.db, context.actor, referral_id,
                                        now=runtime.now())
    except ReferralAlreadyTaken:
        # Show the presser's copy as it is now, then let the error handler say who took it.
        await _refresh(update, context, referral_id)
        raise
    await _settle(update, context, change)
    await query.answer(context.t("referral-you-took-it"))
    if change.details is not None:
        await _send_details(update, context, change.details)


async def start_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime = context.runtime
    change = await referrals.start_work(runtime.db, context.actor, referral_id,
                                        now=runtime.now())
    await _settle(update, context, change)
    await _query(update).answer()


async def ask_decline_reason(update: Update, context: PanongContext, referral_id: int) -> None:
    await referrals.check(context.runtime.db, context.actor, referral_id, "decline")
    t = context.t
    choices = [button(t(f"decline-{reason}"), ReferralChoiceButton(
        referral_id=referral_id, action="decline", value=reason))
        for reason in DeclineReason if reason is not DeclineReason.OTHER]
    await _menu(update, t, choices, NoteButton(target_id=referral_id, kind="decline"))


async def ask_outcome(update: Update, context: PanongContext, referral_id: int) -> None:
    await referrals.check(context.runtime.db, context.actor, referral_id, "complete")
    t = context.t
    choices = [button(t(f"outcome-{outcome}"), ReferralChoiceButton(
        referral_id=referral_id, action="complete", value=outcome)) for outcome in Outcome]
    await _menu(update, t, choices, None, back=ReferralButton(referral_id=referral_id,
                                                               action="back"))


async def _menu(update: Update, t: Translator, choices: list[InlineKeyboardButton],
                other: NoteButton | None,
                back: ReferralButton | None = None) -> None:
    """Replace a referral message's buttons by a menu of choices."""
    layout = rows(choices, 2)
    if other is not None:
        layout.append([button(t("button-other-reason"), other)])
    if back is None and other is not None:
        back = ReferralButton(referral_id=other.target_id, action="back")
    if back is not None:
        layout.append([button(t("button-back"), back)])
    query = _query(update)
    await query.answer()
    await query.edit_message_reply_markup(InlineKeyboardMarkup(layout))


async def _refresh(update: Update, context: PanongContext, referral_id: int) -> None:
    """Show the pressed referral message as the referral is now."""
    view = await referrals.show(context.runtime.db, context.actor, referral_id)
    text, keyboard = referral_message(view, context.t, context.runtime)
    try:
        await _query(update).edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


async def back_to_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    await _refresh(update, context, referral_id)
    await _query(update).answer()


async def _send_details(update: Update, context: PanongContext, card: CaseCard) -> None:
    """The child's full details go to the focal point's private chat, never to a group."""
    runtime = context.runtime
    assert update.effective_user is not None
    text = context.t("details-title") + "\n" + presenters.case_card(
        card, context.t, runtime.geography, runtime.today(), runtime.settings.tz,
        full_identity=True)
    await context.bot.send_message(update.effective_user.id, text)


async def show_details(update: Update, context: PanongContext, referral_id: int) -> None:
    card = await referrals.details(context.runtime.db, context.actor, referral_id)
    await _send_details(update, context, card)
    await _query(update).answer(context.t("details-sent-privately"))


async def show_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    """From /inbox: the referral again, with its buttons, as a new message kept up to date."""
    runtime, query = context.runtime, _query(update)
    assert query.message is not None
    await referrals.show_in_chat(runtime.db, context.actor, referral_id, channel=CHANNEL,
                                 chat_id=str(query.message.chat.id), language=context.t.lang,
                                 now=runtime.now())
    await query.answer()


async def ask_withdraw_reason(update: Update, context: PanongContext, referral_id: int) -> None:
    view = await referrals.check(context.runtime.db, context.actor, referral_id, "withdraw")
    t = context.t
    choices = [button(t(f"withdraw-{reason}"), ReferralChoiceButton(
        referral_id=referral_id, action="withdraw", value=reason))
        for reason in WithdrawReason if reason is not WithdrawReason.OTHER]
    layout = rows(choices, 2)
    layout.append([button(t("button-other-reason"),
                          NoteButton(target_id=referral_id, kind="withdraw"))])
    layout.append([button(t("button-keep"), ReferralButton(referral_id=referral_id,
                                                            action="keep"))])
    query = _query(update)
    await query.answer()
    await query.edit_message_text(
        t("withdraw-ask", code=view.case_code, need=t(f"need-{view.referral.need}"),
          unit=view.unit.short_name(t.lang) if view.unit else t("referral-to-coordinators")),
        reply_markup=InlineKeyboardMarkup(layout))


async def keep_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    query = _query(update)
    await query.answer()
    await query.edit_message_text(context.t("nothing-changed"))


async def dismiss_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime = context.runtime
    change = await referrals.dismiss(runtime.db, context.actor, referral_id, now=runtime.now())
    query = _query(update)
    await query.answer()
    await query.edit_message_text(context.t("queue-dismissed", code=change.view.case_code,
                                            need=context.t(f"need-{change.view.referral.need}")))


_REFERRAL_ACTIONS = {
    "accept": accept_referral,
    "start": start_referral,
    "decline": ask_decline_reason,
    "complete": ask_outcome,
    "back": back_to_referral,
    "details": show_details,
    "show": show_referral,
    "withdraw": ask_withdraw_reason,
    "keep": keep_referral,
    "dismiss": dismiss_referral,
}


async def choose_referral_option(update: Update, context: PanongContext) -> None:
    """A reason or an outcome from a referral's menu."""
    query = _query(update)
    pressed = ReferralChoiceButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, rid = context.runtime, pressed.referral_id
    db, now, language = runtime.db, runtime.now(), runtime.settings.default_language
    try:
        if pressed.action == "decline":
            change = await referrals.decline(db, context.actor, rid,
                                             DeclineReason(pressed.value), now=now)
        elif pressed.action == "complete":
            change = await referrals.complete(db, context.actor, rid, Outcome(pressed.value),
                                              now=now)
        elif pressed.action == "withdraw":
            change = await referrals.withdraw(db, context.actor, rid,
                                              WithdrawReason(pressed.value), now=now,
                                              default_language=language)
        else:
            raise StaleAction()
    except ValueError as error:  # a reason or outcome that does not exist: forged
        raise StaleAction() from error
    await query.answer()
    if pressed.action != "withdraw":
        await _settle(update, context, change)
    else:
        await query.edit_message_text(context.t("withdraw-done", code=change.view.case_code,
                                                need=context.t(f"need-{change.view.referral.need}")))


# --- the teacher's routing plan ---------------------------------------------------------


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
    query = _query(update)
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
    """The units a need could go to instead, as buttons."""
    query = _query(update)
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


async def choose_destination(update: Update, context: PanongContext) -> None:
    query = _query(update)
    pressed = DestinationButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    unit_id = None if pressed.unit_id == COORDINATORS_DECIDE else pressed.unit_id
    if not pressed.queued:
        plan = await referrals.choose_destination(runtime.db, context.actor,
                                                  pressed.referral_id, unit_id,
                                                  now=runtime.now())
        await query.answer()
        await query.edit_message_text(presenters.plan_text(plan, t),
                                      reply_markup=plan_keyboard(plan, t))
        return
    if unit_id is None:
        raise StaleAction()
    change = await referrals.reroute(runtime.db, context.actor, pressed.referral_id, unit_id,
                                     now=runtime.now(),
                                     default_language=runtime.settings.default_language)
    await query.answer()
    await query.edit_message_text(presenters.sent_text([change], t))


# --- from a case card: send, withdraw, moved --------------------------------------------


async def press_case_action(update: Update, context: PanongContext) -> None:
    query = _query(update)
    pressed = CaseActionButton.unpack(query.data)
    if pressed is None or query.message is None:
        raise StaleAction()
    runtime, t = context.runtime, context.t
    if pressed.action == "send":
        await query.answer()
        await offer_plan(query.message, context, pressed.case_id)
    elif pressed.action == "withdraw":
        views = await referrals.withdrawable(runtime.db, context.actor, pressed.case_id)
        layout = [[button(t(WITHDRAW.label, need=t(f"need-{view.referral.need}"),
                            unit=view.unit.short_name(t.lang) if view.unit
                            else t("referral-to-coordinators")),
                          action_data(WITHDRAW, view.referral.id))]
                  for view in views]
        await query.answer()
        await query.message.reply_text(t("withdraw-which") if views else t("withdraw-none"),
                                       reply_markup=InlineKeyboardMarkup(layout))
    elif pressed.action == "moved":
        # Asking first checks that the actor holds the case.
        await referrals.move_plan(runtime.db, context.actor, pressed.case_id,
                                  rules=runtime.routing, today=runtime.today())
        choices = [button(place.name(t.lang), MoveDistrictButton(case_id=pressed.case_id,
                                                                 district_code=place.code))
                   for place in runtime.geography.districts]
        await query.answer()
        await query.message.reply_text(t("move-ask-district"),
                                       reply_markup=InlineKeyboardMarkup(rows(choices, 2)))
    else:
        raise StaleAction()


async def record_move(update: Update, context: PanongContext) -> None:
    query = _query(update)
    pressed = MoveDistrictButton.unpack(query.data)
    runtime, t = context.runtime, context.t
    if pressed is None or runtime.geography.district(pressed.district_code) is None:
        raise StaleAction()
    plan = await referrals.record_move(runtime.db, context.actor, pressed.case_id,
                                       pressed.district_code, rules=runtime.routing,
                                       now=runtime.now(), today=runtime.today())
    keyboard = None
    if plan.items:
        keyboard = InlineKeyboardMarkup([[
            button(t("button-reroute"), MovePlanButton(case_id=plan.case.id, action="reroute")),
            button(t("button-keep"), MovePlanButton(case_id=plan.case.id, action="keep"))]])
    await query.answer()
    await query.edit_message_text(presenters.move_text(plan, t, runtime.geography),
                                  reply_markup=keyboard)


async def press_move_plan(update: Update, context: PanongContext) -> None:
    query = _query(update)
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


# --- /inbox and /queue ------------------------------------------------------------------


async def _inbox(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    runtime, t = context.runtime, context.t
    found = await referrals.inbox(runtime.db, context.actor, page)
    text = presenters.referral_list(found, t, runtime.geography, runtime.today(),
                                    runtime.settings.tz, title="inbox-title",
                                    empty="inbox-empty")
    layout = [[button(t("button-open-referral", code=view.case_code,
                        need=t(f"need-{view.referral.need}")),
                      ReferralButton(referral_id=view.referral.id, action="show"))]
              for view in found.views]
    return text, paged(layout, found.page, found.pages, InboxPageButton, t)


async def _queue(context: PanongContext, page: int) -> tuple[str, InlineKeyboardMarkup]:
    runtime, t = context.runtime, context.t
    found = await referrals.queue(runtime.db, context.actor, page)
    text = presenters.referral_list(found, t, runtime.geography, runtime.today(),
                                    runtime.settings.tz, title="queue-title",
                                    empty="queue-empty")
    layout = [[button(t("button-route-referral", code=view.case_code,
                        need=t(f"need-{view.referral.need}")),
                      DestinationListButton(referral_id=view.referral.id, queued=1))]
              for view in found.views]
    return text, paged(layout, found.page, found.pages, QueuePageButton, t)


# /inbox (a unit's open referrals) and /queue (needs waiting for a unit), and their pages.
show_inbox, inbox_page = paginated(_inbox, InboxPageButton)
show_queue, queue_page = paginated(_queue, QueuePageButton)


# --- a unit's group ---------------------------------------------------------------------


async def link_group(update: Update, context: PanongContext) -> None:
    """/linkgroup, sent in a group by a focal point: the unit's referrals come here."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type == chat.PRIVATE:
        await message.reply_text(context.t("linkgroup-in-private"))
        return
    runtime = context.runtime
    unit = await referrals.link_group(runtime.db, context.actor, channel=CHANNEL,
                                      chat_id=str(chat.id), title=chat.title or "",
                                      language=context.t.lang, now=runtime.now())
    await message.reply_text(context.t("linkgroup-done", unit=unit.name(context.t.lang)))


async def unlink_group(update: Update, context: PanongContext) -> None:
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type == chat.PRIVATE:
        await message.reply_text(context.t("linkgroup-in-private"))
        return
    runtime = context.runtime
    unit = await referrals.unlink_group(runtime.db, context.actor, channel=CHANNEL,
                                        chat_id=str(chat.id), now=runtime.now())
    await message.reply_text(context.t("unlinkgroup-done", unit=unit.name(context.t.lang)))


async def left_group(update: Update, context: PanongContext) -> None:
    """The bot was removed from a group: if it was a unit's, its referrals go to the focal
    points in private from now on."""
    member = update.my_chat_member
    assert member is not None
    if member.new_chat_member.status in ("left", "kicked"):
        runtime = context.runtime
        await referrals.unit_chat_lost(runtime.db, channel=CHANNEL,
                                       chat_id=str(member.chat.id), now=runtime.now())
