"""Typed notes on a referral: the unit's question, the teacher's answer, and a decline or
withdrawal reason that none of the buttons gives.

The button may be pressed in a unit's group; the note is asked for, and typed, in the
presser's private chat, so the conversation follows the person, not the chat. The pending
note is kept in the user's persisted data: a restart in between loses nothing.
"""

from telegram import Update
from telegram.ext import ConversationHandler

from bot.errors import InvalidInput, StaleAction, TextExpected
from bot.flows import notes
from bot.flows.callback_data import NoteButton
from handlers.context import PanongContext
from handlers.errors import tell_error
from handlers.persistence import persistence_of
from storage.conversations import ConversationEnd

WRITING = "writing"
NOTE_KEY = "note"
CONVERSATION = "notes"  # the ConversationHandler's name, and its persisted state's


async def ask_for_note(update: Update, context: PanongContext) -> str:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    pressed = NoteButton.unpack(query.data)
    if pressed is None:
        raise StaleAction()
    prompt = await notes.prompt(context.runtime, context.actor, pressed.kind,
                                pressed.target_id, context.t)
    context.user_data[NOTE_KEY] = {"kind": pressed.kind, "target_id": pressed.target_id}
    await query.answer()
    await context.bot.send_message(update.effective_user.id, prompt)
    return WRITING


async def receive_note(update: Update, context: PanongContext) -> str | int:
    message = update.effective_message
    assert message is not None and message.text is not None
    pending = context.user_data.get(NOTE_KEY)
    if not pending:
        return ConversationHandler.END
    kind = pending["kind"]
    try:
        note = notes.read(context.runtime, kind, message.text)
    except InvalidInput as error:
        await tell_error(update, context, error)
        return WRITING
    reply = await notes.save(context.runtime, context.actor, kind, pending["target_id"],
                             note, context.t, ending=_ending(update, context))
    persistence_of(context.application).ended(context.user_data, NOTE_KEY)
    await message.reply_text(reply)
    return ConversationHandler.END


def _ending(update: Update, context: PanongContext) -> ConversationEnd:
    """The note's conversation ends with the write the note makes: after a crash, the
    next text must not be taken for another note."""
    assert update.effective_user is not None
    user_id = update.effective_user.id
    return persistence_of(context.application).ending(user_id, context.user_data, NOTE_KEY,
                                                      CONVERSATION, (user_id,))


async def not_text(update: Update, context: PanongContext) -> str:
    await tell_error(update, context, TextExpected())
    return WRITING


async def cancel_note(update: Update, context: PanongContext) -> int:
    assert update.effective_message is not None
    context.user_data.pop(NOTE_KEY, None)
    await update.effective_message.reply_text(context.t("note-cancelled"))
    return ConversationHandler.END
