"""The one place errors become messages.

Expected failures (`AppError`) are told to the user in their language and change nothing.
Anything else is logged with its update and the user is told that nothing was saved.
"""

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.errors import AppError
from bot.i18n import pick_language, translator
from bot.presenters import plain
from bot.services import reminders
from bot.services.access import identify
from handlers.context import CHANNEL, PanongContext

log = logging.getLogger(__name__)

# Telegram limits the text of a callback answer (a pop-up) to 200 characters.
ALERT_LIMIT = 200


async def tell_error(update: Update, context: PanongContext, error: AppError) -> None:
    text = context.t(error.key, **error.params)
    if update.callback_query is not None:
        await update.callback_query.answer(plain(text)[:ALERT_LIMIT], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


def is_not_modified(error: BaseException) -> bool:
    """Telegram's answer to an edit that changes nothing (a double tap, a message another
    update already brought up to date)."""
    return isinstance(error, BadRequest) and "message is not modified" in error.message.lower()


def is_undelivered(error: BaseException) -> bool:
    """Telegram did not take a message even after the retries (`handlers.retries`): it was
    down, slow or unreachable, not refusing the message itself."""
    return isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest))


def _is_harmless(error: BaseException) -> bool:
    # A double tap re-renders an unchanged message; an answered query times out.
    return is_not_modified(error) or (
        isinstance(error, BadRequest) and "query is too old" in error.message.lower())


async def on_error(update: object, context: PanongContext) -> None:
    error = context.error
    if error is None or _is_harmless(error):
        return
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=error)
        return
    if context.actor is None and update.effective_user is not None:
        # A context built for the error handler carries no user yet.
        actor = await identify(context.runtime.db, CHANNEL, str(update.effective_user.id))
        language = pick_language(actor.language if actor else None,
                                 update.effective_user.language_code,
                                 context.runtime.settings.default_language)
        context.t = translator(language)
    if isinstance(error, AppError):
        await tell_error(update, context, error)
        return
    if isinstance(error, Forbidden):
        # Ids only: a Telegram user carries the person's name.
        log.warning("user %s cannot be reached: %s",
                    update.effective_user.id if update.effective_user else None, error)
        return
    if is_undelivered(error):
        # Whatever the update committed stays committed; only the answer was lost. Telling
        # them now would fail the same way: the delivery job does it once Telegram is back.
        log.warning("an answer to update %s was not delivered: %s", update.update_id, error)
        if update.effective_user is not None:
            await reminders.undelivered(context.runtime.db, CHANNEL,
                                        str(update.effective_user.id),
                                        now=context.runtime.now())
        return
    log.error("unhandled error in update %s", update.update_id, exc_info=error)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(context.t("error-unexpected")),
                                               show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id,
                                           context.t("error-unexpected"))
    except TelegramError:
        log.exception("could not tell the user about the error")
