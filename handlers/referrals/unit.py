"""The unit's side in chat: a focal point's buttons on a referral message (accept, start,
decline and record the outcome from a menu, the child's details in private), /inbox, and
/linkgroup for the group where the unit reads its referrals."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import presenters
from bot.domain.models import DeclineReason, Outcome
from bot.errors import ReferralAlreadyTaken
from bot.flows.callback_data import (
    InboxPageButton,
    NoteButton,
    ReferralButton,
    ReferralChoiceButton,
)
from bot.i18n import Translator
from bot.services import referrals
from bot.services.cases import CaseCard
from handlers.context import CHANNEL, PanongContext
from handlers.keyboards import button, paged, rows
from handlers.pages import paginated
from handlers.referrals.common import chosen, query_of, refresh, settle

# --- the buttons on a referral message --------------------------------------------------


async def accept_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime, query = context.runtime, query_of(update)
    try:
        change = await referrals.accept(runtime.db, context.actor, referral_id,
                                        now=runtime.now())
    except ReferralAlreadyTaken:
        # Show the presser's copy as it is now, then let the error handler say who took it.
        await refresh(update, context, referral_id)
        raise
    await settle(update, context, change)
    await query.answer(context.t("referral-you-took-it"))
    if change.details is not None:
        await _send_details(update, context, change.details)


async def start_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime = context.runtime
    change = await referrals.start_work(runtime.db, context.actor, referral_id,
                                        now=runtime.now())
    await settle(update, context, change)
    await query_of(update).answer()


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
    query = query_of(update)
    await query.answer()
    await query.edit_message_reply_markup(InlineKeyboardMarkup(layout))


async def choose_decline_reason(update: Update, context: PanongContext, referral_id: int,
                                value: str) -> None:
    runtime = context.runtime
    change = await referrals.decline(runtime.db, context.actor, referral_id,
                                     chosen(DeclineReason, value), now=runtime.now())
    await query_of(update).answer()
    await settle(update, context, change)


async def choose_outcome(update: Update, context: PanongContext, referral_id: int,
                         value: str) -> None:
    runtime = context.runtime
    change = await referrals.complete(runtime.db, context.actor, referral_id,
                                      chosen(Outcome, value), now=runtime.now())
    await query_of(update).answer()
    await settle(update, context, change)


async def back_to_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    await refresh(update, context, referral_id)
    await query_of(update).answer()


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
    await query_of(update).answer(context.t("details-sent-privately"))


# --- /inbox -----------------------------------------------------------------------------


async def show_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    """From /inbox: the referral again, with its buttons, as a new message kept up to date."""
    runtime, query = context.runtime, query_of(update)
    assert query.message is not None
    await referrals.show_in_chat(runtime.db, context.actor, referral_id, channel=CHANNEL,
                                 chat_id=str(query.message.chat.id), language=context.t.lang,
                                 now=runtime.now())
    await query.answer()


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


# /inbox (a unit's open referrals) and its pages.
show_inbox, inbox_page = paginated(_inbox, InboxPageButton)


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
