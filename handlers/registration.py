"""/new: the registration wizard, shown one step at a time.

The steps, their rules and their choices live in `bot.services.registration`; this module
only shows the current step and hands the answer back. The draft is kept in the user's
persisted data, so a restart in the middle loses nothing.
"""

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ConversationHandler

from bot import presenters
from bot.errors import InvalidInput, StaleAction, TextExpected
from bot.flows.callback_data import WizardButton
from bot.flows.registration import BACK, CANCEL, SKIP, prompt
from bot.services import cases, registration
from bot.services.access import require_user
from bot.services.registration import CaseDraft, Step
from handlers import referrals
from handlers.context import PanongContext
from handlers.errors import tell_error
from handlers.keyboards import wizard_keyboard
from handlers.persistence import persistence_of
from storage.conversations import ConversationEnd

CONVERSATION = "registration"  # the ConversationHandler's name, and its persisted state's
FILLING = "filling"
DRAFT_KEY = "registration"


def _load(context: PanongContext) -> CaseDraft | None:
    stored = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return CaseDraft.model_validate(stored) if stored else None


async def _save(update: Update, context: PanongContext, draft: CaseDraft) -> None:
    """Keep the draft, written to the database before the next question is shown: an
    answer typed after a crash must find the draft at the question it was typed for, not
    at one the periodic persistence had not caught up with. The conversation's state
    (entered with /new) is written with it, or a typed answer after a crash would not
    reach the wizard at all."""
    context.user_data[DRAFT_KEY] = draft.model_dump(mode="json")
    # The conversation's key: per chat and per user, as PTB keys it.
    await persistence_of(context.application).write_through(
        _user(update).id, context.user_data, CONVERSATION, _key(update), FILLING)


def _user(update: Update) -> User:
    assert update.effective_user is not None
    return update.effective_user


def _key(update: Update) -> tuple[int, int]:
    """The wizard's conversation key: per chat and per user, as PTB keys it."""
    assert update.effective_chat is not None
    return update.effective_chat.id, _user(update).id


def _ending(update: Update, context: PanongContext) -> ConversationEnd:
    """The wizard's end, written with the case it saves: after a crash, /new must not
    offer the child just saved as a registration under way."""
    return persistence_of(context.application).ending(
        _user(update).id, context.user_data, DRAFT_KEY, CONVERSATION, _key(update))


def _forget(context: PanongContext) -> int:
    context.user_data.pop(DRAFT_KEY, None)
    return ConversationHandler.END


def _prompt(context: PanongContext, draft: CaseDraft) -> tuple[str, InlineKeyboardMarkup]:
    runtime = context.runtime
    shown = prompt(draft, context.t, runtime.geography, runtime.today())
    return shown.text, wizard_keyboard(shown.step, shown.choices, shown.nav)


async def _ask(message: Message, context: PanongContext, draft: CaseDraft) -> None:
    text, keyboard = _prompt(context, draft)
    await message.reply_text(text, reply_markup=keyboard)


async def _show_in_place(update: Update, context: PanongContext, draft: CaseDraft) -> None:
    text, keyboard = _prompt(context, draft)
    assert update.callback_query is not None
    await update.callback_query.edit_message_text(text, reply_markup=keyboard)


async def start_registration(update: Update, context: PanongContext) -> str:
    """/new. A registration already under way is resumed, never silently thrown away:
    only /cancel discards it."""
    require_user(context.actor)
    assert update.effective_message is not None
    draft = _load(context)
    if draft is None:
        draft = registration.start()
        await _save(update, context, draft)
        await update.effective_message.reply_text(context.t("new-intro"))
    else:
        await update.effective_message.reply_text(context.t("new-resumed"))
    await _ask(update.effective_message, context, draft)
    return FILLING


async def _apply(update: Update, context: PanongContext,
                 change: Callable[[CaseDraft], CaseDraft]) -> str | int:
    """Apply a typed or shared answer; a bad one is explained and the question re-asked."""
    message = update.effective_message
    assert message is not None
    draft = _load(context)
    if draft is None:
        return _forget(context)
    try:
        draft = change(draft)
    except InvalidInput as error:
        await tell_error(update, context, error)
    else:
        await _save(update, context, draft)
    await _ask(message, context, draft)
    return FILLING


async def answer_text(update: Update, context: PanongContext) -> str | int:
    assert update.effective_message is not None and update.effective_message.text is not None
    text, today = update.effective_message.text, context.runtime.today()
    return await _apply(update, context,
                        lambda draft: registration.answer_text(draft, text, today))


async def answer_location(update: Update, context: PanongContext) -> str | int:
    assert update.effective_message is not None and update.effective_message.location
    pin, today = update.effective_message.location, context.runtime.today()
    return await _apply(update, context, lambda draft: registration.answer_location(
        draft, pin.latitude, pin.longitude, today))


async def wrong_kind(update: Update, context: PanongContext) -> str:
    """A photo, sticker, file or voice note where the wizard waits for text or a button."""
    message = update.effective_message
    assert message is not None
    draft = _load(context)
    if draft is not None:
        expects_text = draft.step in registration.TEXT_STEPS
        await tell_error(update, context, TextExpected() if expects_text else InvalidInput())
        await _ask(message, context, draft)
    return FILLING


async def press_button(update: Update, context: PanongContext) -> str | int:
    query = update.callback_query
    assert query is not None
    draft = _load(context)
    pressed = WizardButton.unpack(query.data)
    if draft is None or pressed is None or pressed.step != draft.step:
        # A button from an earlier question, or one that was never ours.
        raise StaleAction()
    runtime = context.runtime
    today = runtime.today()
    if pressed.value == CANCEL:
        await query.answer()
        await query.edit_message_text(context.t("new-cancelled"))
        return _forget(context)
    if pressed.value == BACK:
        previous = registration.go_back(draft, today)
        if previous is None:
            raise StaleAction()
        draft = previous
    elif pressed.value == SKIP:
        draft = registration.skip(draft, today)
    elif draft.step is Step.SUMMARY and pressed.value == "confirm":
        return await _confirm(update, context, draft)
    elif draft.step is Step.SUMMARY and pressed.value == "edit":
        draft = draft.model_copy(update={"step": Step.EDIT})
    elif draft.step is Step.DUPLICATES:
        return await _resolve_duplicate(update, context, draft, pressed.value)
    else:
        try:
            draft = registration.answer_choice(draft, pressed.value, runtime.geography, today)
        except InvalidInput as error:
            await tell_error(update, context, error)
            return FILLING
    await _save(update, context, draft)
    await query.answer()
    await _show_in_place(update, context, draft)
    return FILLING


async def _confirm(update: Update, context: PanongContext, draft: CaseDraft) -> str | int:
    runtime = context.runtime
    today = runtime.today()
    query = update.callback_query
    assert query is not None
    missing = registration.missing_steps(draft, today)
    if missing:
        draft = draft.model_copy(update={"step": missing[0], "editing": None})
        await _save(update, context, draft)
        await query.answer(context.t("summary-missing"), show_alert=True)
        await _show_in_place(update, context, draft)
        return FILLING
    duplicates = await registration.find_duplicates(
        runtime.db, context.actor, draft, today=today, now=runtime.now(),
        reveals_per_day=runtime.settings.duplicate_reveals_per_day)
    if duplicates:
        draft = draft.model_copy(update={"step": Step.DUPLICATES, "duplicates": duplicates})
        await _save(update, context, draft)
        await query.answer()
        await _show_in_place(update, context, draft)
        return FILLING
    return await _register(update, context, draft)


async def _register(update: Update, context: PanongContext, draft: CaseDraft) -> int:
    runtime = context.runtime
    query = update.callback_query
    assert query is not None
    case = await registration.register_child(
        runtime.db, context.actor, draft, code_prefix=runtime.settings.case_code_prefix,
        rules=runtime.routing, now=runtime.now(), today=runtime.today(),
        ending=_ending(update, context),
    )
    persistence_of(context.application).ended(context.user_data, DRAFT_KEY)
    await query.answer()
    await query.edit_message_text(context.t("new-registered", code=case.code))
    assert query.message is not None
    await referrals.offer_plan(query.message, context, case.id)
    return ConversationHandler.END


async def _resolve_duplicate(update: Update, context: PanongContext, draft: CaseDraft,
                             value: str) -> str | int:
    runtime = context.runtime
    query = update.callback_query
    assert query is not None and query.message is not None
    if value == "register":
        return await _register(update, context, draft)
    if value not in {str(d.case_id) for d in registration.revealed(draft)}:
        raise StaleAction()
    existing = await cases.glimpse_case(runtime.db, context.actor, int(value))
    if isinstance(existing, cases.CaseCard):
        text = presenters.case_card(existing, context.t, runtime.geography, runtime.today(),
                                    runtime.settings.tz)
    else:
        text = presenters.case_glimpse(existing, context.t, runtime.settings.tz)
    await query.answer()
    await query.edit_message_text(context.t("new-opened-existing"))
    await query.message.reply_text(text)
    return _forget(context)


async def cancel(update: Update, context: PanongContext) -> int:
    assert update.effective_message is not None
    await update.effective_message.reply_text(context.t("new-cancelled"))
    return _forget(context)
