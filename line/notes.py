"""Typed notes on LINE (`bot.flows.notes`): a unit's question, the holder's answer, a
reason none of the buttons gives, the day of a reminder.

A press asks for the text; the person's next typed message is the note, saved with the
flow's end in one transaction (`line.conversation`), so that a restart in between loses
nothing and a crash after it does not take the next text for another note. The note is
typed in the person's own chat: pressed in a unit's group, the question goes to their
private chat and the group hears only that it went.
"""

from linebot.v3.messaging import AsyncMessagingApi, TextMessage

from bot.domain.models import User
from bot.errors import AppError, TextExpected
from bot.flows import notes
from bot.flows.callback_data import NoteButton
from bot.i18n import Translator
from bot.runtime import Runtime
from line.conversation import Doing, ending, recall, remember
from line.private import Pushed, push_privately
from line.render import text_message
from line.turn import Answer, Routes, Turn

FLOW = "note"


async def ask(runtime: Runtime, messaging: AsyncMessagingApi, actor: User | None,
              pressed: NoteButton, t: Translator, *, person: str, in_group: bool
              ) -> list[TextMessage]:
    """A note pressed (`line.referrals.press`): asked for in `person`'s private chat,
    where their next message is taken for it. From a unit's group the question is pushed
    there, and the group's answer says only where to type it."""
    prompt = await notes.prompt(runtime, actor, pressed.kind, pressed.target_id, t)
    doing = await recall(runtime.db, person)
    await remember(runtime.db, person, Doing(flow=FLOW, data={
        **doing.data, FLOW: {"kind": pressed.kind, "target_id": pressed.target_id}}))
    if not in_group:
        return [text_message(prompt)]
    pushed = await push_privately(runtime, messaging, person, [text_message(prompt)])
    return [text_message(t("line-note-asked-privately" if pushed is Pushed.SENT
                           else "line-note-open-chat"))]


async def _write(turn: Turn) -> Answer:
    """Their message while a note is asked for: the note, or /cancel."""
    pending = turn.doing.data.get(FLOW)
    if turn.command == "/cancel" or not pending:
        await turn.keep(turn.doing.without(FLOW))
        return [text_message(turn.t("note-cancelled"))]
    if turn.text is None:
        raise TextExpected()
    kind, target_id = pending["kind"], pending["target_id"]
    note = notes.read(turn.runtime, kind, turn.text)  # asked again if it is not a note
    try:
        reply = await notes.save(turn.runtime, turn.actor, kind, target_id, note, turn.t,
                                 ending=ending(turn.user_id, turn.doing, FLOW))
    except AppError:
        # The referral moved on while they typed (or they may no longer act on it): the
        # note cannot be saved, and the next text is not for it.
        await turn.keep(turn.doing.without(FLOW))
        raise
    return [text_message(reply)]


# The press that starts a note is `line.referrals`' (in a group too).
ROUTES = Routes(flows={FLOW: _write})
