"""Referrals on LINE, for the unit's focal points: the referral message with the actions
its state allows (`bot.flows.referrals`, the same table as Telegram's buttons) as quick
replies, and what each press does.

LINE cannot edit a sent message, so every press is answered, by reply, from the referral
as it is now: the first press wins and the loser is told who took it; a press on an old
message's buttons gets the current state and its current choices. The child's details
go to the person who accepted, never into a group: in a group they are pushed to their
private chat.
"""

import logging

from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    PushMessageRequest,
    TextMessage,
)

from bot import presenters
from bot.domain.models import DeclineReason, Outcome, User
from bot.errors import ReferralAlreadyTaken, StaleAction
from bot.flows.callback_data import ReferralButton, ReferralChoiceButton, action_data
from bot.flows.referrals import Side, available
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.services import pushes, referrals
from bot.services.cases import CaseCard
from bot.services.referrals import ReferralView
from line import CHANNEL
from line.render import text_message
from line.turn import Answer, Postback, Routes, Turn

log = logging.getLogger(__name__)

# What a press may start on LINE: the typed ones (a question) are not on LINE yet.
_CHOICES = {"decline": (DeclineReason, DeclineReason.OTHER, "decline"),
            "complete": (Outcome, None, "outcome")}


def referral_message(view: ReferralView, t: Translator, runtime: Runtime) -> TextMessage:
    """The referral as its unit sees it, with what it may do now as quick replies."""
    actions = [action for action in available(view.referral.status, Side.UNIT)
               if not action.typed]
    return text_message(
        presenters.referral_text(view, t, runtime.geography, runtime.today()),
        [(t(action.label), action_data(action, view.referral.id).pack())
         for action in actions])


def is_referral_press(data: str) -> bool:
    return ReferralButton.unpack(data) is not None \
        or ReferralChoiceButton.unpack(data) is not None


async def press(runtime: Runtime, messaging: AsyncMessagingApi, actor: User | None,
                data: str, t: Translator, *, person: str, in_group: bool
                ) -> list[TextMessage]:
    """`person`: the presser's own LINE chat, where details go from a group."""
    # What a press on a referral's quick replies does, and the answer to it.
    db, now = runtime.db, runtime.now()
    pressed = ReferralButton.unpack(data)
    chosen = ReferralChoiceButton.unpack(data)
    referral_id = pressed.referral_id if pressed else chosen.referral_id if chosen else 0
    try:
        if pressed is not None and pressed.action == "accept":
            change = await referrals.accept(db, actor, referral_id, now=now)
            answer = [text_message(t("referral-you-took-it")),
                      referral_message(change.view, t, runtime)]
            if change.details is not None:
                answer += await _details(runtime, messaging, person, change.details, t,
                                         in_group=in_group)
            return answer
        if pressed is not None and pressed.action == "start":
            change = await referrals.start_work(db, actor, referral_id, now=now)
            return [referral_message(change.view, t, runtime)]
        if pressed is not None and pressed.action == "details":
            card = await referrals.details(db, actor, referral_id)
            return await _details(runtime, messaging, person, card, t, in_group=in_group)
        if pressed is not None and pressed.action in _CHOICES:
            return [await _ask_choice(runtime, actor, referral_id, pressed.action, t)]
        if chosen is not None and chosen.action == "decline":
            change = await referrals.decline(db, actor, referral_id,
                                             DeclineReason(chosen.value), now=now)
            return [referral_message(change.view, t, runtime)]
        if chosen is not None and chosen.action == "complete":
            change = await referrals.complete(db, actor, referral_id, Outcome(chosen.value),
                                              now=now)
            return [referral_message(change.view, t, runtime)]
    except (ReferralAlreadyTaken, StaleAction) as error:
        # Answered from the referral as it is now (LINE's old message cannot change).
        view = await referrals.show(db, actor, referral_id)
        return [text_message(t(error.key, **error.params)),
                referral_message(view, t, runtime)]
    except ValueError as error:  # a reason or an outcome that does not exist: forged
        raise StaleAction() from error
    return [text_message(t("line-not-yet"))]


async def _ask_choice(runtime: Runtime, actor: User | None, referral_id: int, action: str,
                      t: Translator) -> TextMessage:
    """The reasons for declining, or the outcomes, as quick replies."""
    await referrals.check(runtime.db, actor, referral_id, action)
    values, typed, prefix = _CHOICES[action]
    return text_message(t(f"line-{prefix}-ask"), [
        (t(f"{prefix}-{value}"), ReferralChoiceButton(referral_id=referral_id, action=action,
                                                      value=value).pack())
        for value in values if value is not typed])


async def _details(runtime: Runtime, messaging: AsyncMessagingApi, person: str,
                   card: CaseCard, t: Translator, *, in_group: bool) -> list[TextMessage]:
    """The child's full details: in the reply in a private chat; from a group, pushed to
    the person's private chat (one push), and the group told only that they went."""
    details = text_message(t("details-title") + "\n" + presenters.case_card(
        card, t, runtime.geography, runtime.today(), runtime.settings.tz, full_identity=True))
    if not in_group:
        return [details]
    settings, now = runtime.settings, runtime.now()
    try:
        await messaging.push_message_with_http_info(PushMessageRequest(to=person,
                                                                       messages=[details]))
    except (ApiException, OSError) as error:
        log.warning("details not pushed to a focal point: %s", getattr(error, "status", error))
        return [text_message(t("line-details-not-sent"))]
    await pushes.spent(runtime.db, CHANNEL, 1, budget=settings.line_push_budget,
                       warn_at=settings.line_push_warn_at, now=now, tz=settings.tz,
                       default_language=settings.default_language)
    return [text_message(t("details-sent-privately"))]


async def _press_in_private(turn: Turn) -> Answer:
    assert turn.postback is not None
    return await press(turn.runtime, turn.messaging, turn.actor, turn.postback, turn.t,
                       person=turn.user_id, in_group=False)


ROUTES = Routes(postbacks=[Postback(is_referral_press, _press_in_private)])
