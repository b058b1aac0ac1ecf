"""The coordinators' side in chat: /queue, the needs no unit has taken, each sent to a unit
or dismissed when no unit can take it."""

from telegram import InlineKeyboardMarkup, Update

from bot import presenters
from bot.errors import StaleAction
from bot.flows.callback_data import DestinationListButton, QueuePageButton
from bot.services import referrals
from handlers.context import PanongContext
from handlers.keyboards import button, paged
from handlers.pages import paginated
from handlers.referrals.common import query_of


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


# /queue (needs waiting for a unit) and its pages.
show_queue, queue_page = paginated(_queue, QueuePageButton)


async def send_queued(update: Update, context: PanongContext, referral_id: int,
                      unit_id: str | None) -> None:
    """A queued need goes to the unit chosen from its destinations."""
    if unit_id is None:
        raise StaleAction()
    runtime, query = context.runtime, query_of(update)
    change = await referrals.reroute(runtime.db, context.actor, referral_id, unit_id,
                                     now=runtime.now(),
                                     default_language=runtime.settings.default_language)
    await query.answer()
    await query.edit_message_text(presenters.sent_text([change], context.t))


async def dismiss_referral(update: Update, context: PanongContext, referral_id: int) -> None:
    runtime = context.runtime
    change = await referrals.dismiss(runtime.db, context.actor, referral_id, now=runtime.now())
    query = query_of(update)
    await query.answer()
    await query.edit_message_text(context.t("queue-dismissed", code=change.view.case_code,
                                            need=context.t(f"need-{change.view.referral.need}")))
