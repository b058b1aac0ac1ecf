"""/start (with or without an invite), /help, /language, and answers to anything else."""

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.errors import StaleAction
from bot.flows.callback_data import LanguageButton
from bot.i18n import LANGUAGE_NAMES, pick_language, translator
from bot.services import linking, onboarding, users
from handlers.commands import set_commands_for
from handlers.context import CHANNEL, PanongContext
from handlers.keyboards import button


async def start(update: Update, context: PanongContext) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    if not context.args:
        await message.reply_text(context.t("start-welcome", name=user.first_name)
                                 + "\n\n" + context.t(f"help-{context.actor.role}"))
        return
    runtime = context.runtime
    if linking.is_link_code(context.args[0]):
        await _link(update, context, context.args[0][:64])
        return
    joined = await onboarding.redeem_invite(
        runtime.db,
        code=context.args[0][:64],
        channel=CHANNEL,
        channel_user_id=str(user.id),
        display_name=user.full_name,
        # Remembered so that notices sent outside this chat's updates use it too.
        language=context.t.lang,
        now=runtime.now(),
    )
    context.actor = joined.user
    t, role = context.t, joined.user.role
    await message.reply_text(
        t("start-joined", role=t(f"role-{role}"), organisation=joined.organisation.name(t.lang))
        + "\n\n" + t(f"help-{role}")
    )
    await set_commands_for(context.bot, user.id, role)


async def _link(update: Update, context: PanongContext, code: str) -> None:
    """This Telegram chat joins the account of the person who made the code elsewhere."""
    assert update.effective_user is not None and update.effective_message is not None
    runtime, t = context.runtime, context.t
    linked = await linking.link(runtime.db, code=code, channel=CHANNEL,
                                channel_user_id=str(update.effective_user.id),
                                now=runtime.now())
    role = linked.user.role
    await update.effective_message.reply_text(t(
        "link-done", role=t(f"role-{role}"), organisation=linked.organisation.name(t.lang)))
    await set_commands_for(context.bot, update.effective_user.id, role)


async def link_code(update: Update, context: PanongContext) -> None:
    """/link: a code to use Panong on LINE too, as the same account."""
    assert update.effective_message is not None
    runtime, t = context.runtime, context.t
    made = await linking.make_code(runtime.db, context.actor, now=runtime.now())
    text = t("link-code", code=made.code, minutes=linking.MINUTES)
    if runtime.settings.line_basic_id:
        text += "\n" + t("link-code-line", link=onboarding.line_start_link(
            runtime.settings.line_basic_id, made.code))
    await update.effective_message.reply_text(text)


async def show_help(update: Update, context: PanongContext) -> None:
    assert context.actor is not None and update.effective_message is not None
    await update.effective_message.reply_text(context.t(f"help-{context.actor.role}"))


async def choose_language(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None
    keyboard = [[button(name, LanguageButton(language=code))
                 for code, name in LANGUAGE_NAMES.items()]]
    await update.effective_message.reply_text(context.t("language-ask"),
                                              reply_markup=InlineKeyboardMarkup(keyboard))


async def set_language(update: Update, context: PanongContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = LanguageButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    runtime = context.runtime
    actor = await users.set_language(runtime.db, context.actor, pressed.language, runtime.now())
    context.actor = actor
    context.t = translator(pick_language(actor.language, None,
                                         runtime.settings.default_language))
    await query.answer()
    await query.edit_message_text(context.t("language-set"))
    await set_commands_for(context.bot, int(actor.channel_user_id), actor.role)


async def cancel_nothing(update: Update, context: PanongContext) -> None:
    """/cancel outside a wizard: there is nothing to cancel, and saying so is kinder than
    silence."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(context.t("cancel-nothing"))


async def stale_button(update: Update, context: PanongContext) -> None:
    """A button no handler claims: from an old message, a finished wizard, or forged."""
    assert update.callback_query is not None
    await update.callback_query.answer(context.t("error-stale"), show_alert=True)


async def not_understood(update: Update, context: PanongContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(context.t("not-understood"),
                                              parse_mode=ParseMode.HTML)
