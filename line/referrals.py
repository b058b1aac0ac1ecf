"""Referrals on LINE: the referral message with the actions its state allows
(`bot.flows.referrals`, the same table as Telegram's buttons) as quick replies, and what
each press does, on either side of it: the unit's focal points (accept, decline, ask,
start, the outcome, the child's details) and the case's holder (withdraw; a coordinator
closes a queued need); a unit's /inbox and the coordinators' /queue.

LINE cannot edit a sent message, so every press is answered, by reply, from the referral
as it is now: the first press wins and the loser is told who took it; a press on an old
message's buttons gets the current state and its current choices. The child's details,
and the question of a note to type, go to the presser's own chat, never into a group: in
a group they are pushed to their private chat (`line.private`).
"""

from linebot.v3.messaging import AsyncMessagingApi, TextMessage

from bot import presenters
from bot.domain.models import DeclineReason, Outcome, User, WithdrawReason
from bot.errors import AppError, ReferralAlreadyTaken, StaleAction
from bot.flows import choices, notes
from bot.flows.callback_data import (
    DestinationListButton,
    InboxPageButton,
    NoteButton,
    QueuePageButton,
    ReferralButton,
    ReferralChoiceButton,
    action_data,
)
from bot.flows.referrals import Side, available
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import referrals
from bot.services.cases import CaseCard
from bot.services.referrals import ReferralView
from line import notes as line_notes
from line.private import Pushed, push_privately
from line.render import offered, text_message
from line.turn import Answer, Postback, Routes, Turn

# The menus a press opens: the choices' kind, the one typed instead (a NoteButton), and
# the catalog prefix of the question and of the choices.
_CHOICES = {"decline": (DeclineReason, DeclineReason.OTHER, "decline"),
            "complete": (Outcome, None, "outcome")}


def referral_message(view: ReferralView, t: Translator, runtime: Runtime) -> TextMessage:
    """The referral as its unit sees it, with what it may do now as quick replies."""
    return text_message(
        presenters.referral_text(view, t, runtime.geography, runtime.today()),
        [(t(action.label), action_data(action, view.referral.id).pack())
         for action in available(view.referral.status, Side.UNIT)])


def is_referral_press(data: str) -> bool:
    """What a press on a referral message may send, in a group too: an action, a choice
    from its menu, or a note to type (on a case too: the day of a reminder)."""
    return ReferralButton.unpack(data) is not None \
        or ReferralChoiceButton.unpack(data) is not None or NoteButton.unpack(data) is not None


async def press(runtime: Runtime, messaging: AsyncMessagingApi, actor: User | None,
                data: str, t: Translator, *, person: str, in_group: bool
                ) -> list[TextMessage]:
    """`person`: the presser's own LINE chat, where details go from a group."""
    note = NoteButton.unpack(data)
    pressed = ReferralButton.unpack(data)
    chosen = ReferralChoiceButton.unpack(data)
    referral_id = pressed.referral_id if pressed else chosen.referral_id if chosen \
        else note.target_id if note and note.kind in notes.REFERRAL_KINDS else 0
    try:
        if note is not None:
            return await line_notes.ask(runtime, messaging, actor, note, t, person=person,
                                        in_group=in_group)
        if pressed is not None:
            return await _act(runtime, messaging, actor, pressed, t, person=person,
                              in_group=in_group)
        if chosen is not None:
            return await _choose(runtime, actor, chosen, t)
    except (ReferralAlreadyTaken, StaleAction) as error:
        # Answered from the referral as it is now (LINE's old message cannot change).
        return [text_message(t(error.key, **error.params)),
                *await _as_it_is(runtime, actor, referral_id, t)]
    except ValueError as error:  # a reason or an outcome that does not exist: forged
        raise StaleAction() from error
    raise StaleAction()


async def _act(runtime: Runtime, messaging: AsyncMessagingApi, actor: User | None,
               pressed: ReferralButton, t: Translator, *, person: str, in_group: bool
               ) -> list[TextMessage]:
    db, now, referral_id = runtime.db, runtime.now(), pressed.referral_id
    if pressed.action == "accept":
        change = await referrals.accept(db, actor, referral_id, now=now)
        answer = [text_message(t("referral-you-took-it")),
                  referral_message(change.view, t, runtime)]
        if change.details is not None:
            answer += await _details(runtime, messaging, person, change.details, t,
                                     in_group=in_group)
        return answer
    if pressed.action == "start":
        change = await referrals.start_work(db, actor, referral_id, now=now)
        return [referral_message(change.view, t, runtime)]
    if pressed.action == "details":
        card = await referrals.details(db, actor, referral_id)
        return await _details(runtime, messaging, person, card, t, in_group=in_group)
    if pressed.action in _CHOICES:
        return [await _ask_choice(runtime, actor, referral_id, pressed.action, t)]
    if pressed.action == "show":  # from /inbox
        return [referral_message(await referrals.show(db, actor, referral_id), t, runtime)]
    if pressed.action == "withdraw":  # the case's holder, from its card or a notice
        view = await referrals.check(db, actor, referral_id, "withdraw")
        return [text_message(t("withdraw-ask", code=view.case_code,
                               need=t(f"need-{view.referral.need}"),
                               unit=view.unit.short_name(t.lang) if view.unit
                               else t("referral-to-coordinators")),
                             offered(choices.withdraw_reasons(referral_id, t).every))]
    if pressed.action == "keep":
        return [text_message(t("nothing-changed"))]
    if pressed.action == "dismiss":  # a coordinator, from a queued need's units
        change = await referrals.dismiss(db, actor, referral_id, now=now)
        return [text_message(t("queue-dismissed", code=change.view.case_code,
                               need=t(f"need-{change.view.referral.need}")))]
    raise StaleAction()


async def _choose(runtime: Runtime, actor: User | None, chosen: ReferralChoiceButton,
                  t: Translator) -> list[TextMessage]:
    db, now, referral_id = runtime.db, runtime.now(), chosen.referral_id
    if chosen.action == "decline":
        change = await referrals.decline(db, actor, referral_id, DeclineReason(chosen.value),
                                         now=now)
        return [referral_message(change.view, t, runtime)]
    if chosen.action == "complete":
        change = await referrals.complete(db, actor, referral_id, Outcome(chosen.value),
                                          now=now)
        return [referral_message(change.view, t, runtime)]
    if chosen.action == "withdraw":
        change = await referrals.withdraw(
            db, actor, referral_id, WithdrawReason(chosen.value), now=now,
            default_language=runtime.settings.default_language)
        return [text_message(t("withdraw-done", code=change.view.case_code,
                               need=t(f"need-{change.view.referral.need}")))]
    raise StaleAction()


async def _as_it_is(runtime: Runtime, actor: User | None, referral_id: int,
                    t: Translator) -> list[TextMessage]:
    """The referral as it is now, for a focal point of its unit; nothing for anyone else
    (the holder's own messages are not the unit's referral message)."""
    if not referral_id:
        return []
    try:
        view = await referrals.show(runtime.db, actor, referral_id)
    except AppError:
        return []
    return [referral_message(view, t, runtime)]


async def _ask_choice(runtime: Runtime, actor: User | None, referral_id: int, action: str,
                      t: Translator) -> TextMessage:
    """The reasons for declining (or another, typed), or the outcomes, as quick replies."""
    await referrals.check(runtime.db, actor, referral_id, action)
    values, typed, prefix = _CHOICES[action]
    offer = [(t(f"{prefix}-{value}"), ReferralChoiceButton(
        referral_id=referral_id, action=action, value=value).pack())
        for value in values if value is not typed]
    if typed is not None:
        offer.append((t("button-other-reason"),
                      NoteButton(target_id=referral_id, kind=action).pack()))
    return text_message(t(f"line-{prefix}-ask"), offer)


async def _details(runtime: Runtime, messaging: AsyncMessagingApi, person: str,
                   card: CaseCard, t: Translator, *, in_group: bool) -> list[TextMessage]:
    """The child's full details: in the reply in a private chat; from a group, pushed to
    the person's private chat (one push), and the group told only that they went."""
    details = text_message(t("details-title") + "\n" + presenters.case_card(
        card, t, runtime.geography, runtime.today(), runtime.settings.tz, full_identity=True))
    if not in_group:
        return [details]
    pushed = await push_privately(runtime, messaging, person, [details])
    return [text_message(t({Pushed.SENT: "details-sent-privately",
                            Pushed.NO_BUDGET: "line-details-open-chat",
                            Pushed.FAILED: "line-details-not-sent"}[pushed]))]


async def _press_in_private(turn: Turn) -> Answer:
    assert turn.postback is not None
    return await press(turn.runtime, turn.messaging, turn.actor, turn.postback, turn.t,
                       person=turn.user_id, in_group=False)


# --- /inbox and /queue ------------------------------------------------------------------


def _short(view: ReferralView, t: Translator) -> str:
    """A referral on a quick reply's 20 characters: its case's number and its need (the
    list above it gives the whole code)."""
    return t("line-referral-choice", number=view.case_code.rsplit("-", 1)[-1],
             need=t(f"need-{view.referral.need}"))


async def _inbox(turn: Turn, page: int) -> Answer:
    """A unit's open referrals, a page at a time; each opens with its buttons."""
    runtime, t = turn.runtime, turn.t
    found = await referrals.inbox(runtime.db, turn.actor, page)
    text = presenters.referral_list(found, t, runtime.geography, runtime.today(),
                                    runtime.settings.tz, title="inbox-title",
                                    empty="inbox-empty")
    return [text_message(text, [
        *((_short(view, t), ReferralButton(referral_id=view.referral.id, action="show").pack())
          for view in found.views),
        *offered(choices.pager(found.page, found.pages, InboxPageButton, t))])]


async def _queue(turn: Turn, page: int) -> Answer:
    """The needs no unit has taken (coordinators), each to send to a unit or close."""
    runtime, t = turn.runtime, turn.t
    found = await referrals.queue(runtime.db, turn.actor, page)
    text = presenters.referral_list(found, t, runtime.geography, runtime.today(),
                                    runtime.settings.tz, title="queue-title",
                                    empty="queue-empty")
    return [text_message(text, [
        *((_short(view, t), DestinationListButton(referral_id=view.referral.id,
                                                  queued=1).pack())
          for view in found.views),
        *offered(choices.pager(found.page, found.pages, QueuePageButton, t))])]


async def _show_inbox(turn: Turn) -> Answer:
    return await _inbox(turn, 0)


async def _inbox_page(turn: Turn) -> Answer:
    pressed = InboxPageButton.unpack(turn.postback)
    assert pressed is not None
    return await _inbox(turn, pressed.page)


async def _show_queue(turn: Turn) -> Answer:
    return await _queue(turn, 0)


async def _queue_page(turn: Turn) -> Answer:
    pressed = QueuePageButton.unpack(turn.postback)
    assert pressed is not None
    return await _queue(turn, pressed.page)


ROUTES = Routes(
    commands={"/inbox": _show_inbox, "/queue": _show_queue},
    postbacks=[Postback(is_referral_press, _press_in_private),
               Postback(lambda data: InboxPageButton.unpack(data) is not None, _inbox_page),
               Postback(lambda data: QueuePageButton.unpack(data) is not None, _queue_page)],
)
