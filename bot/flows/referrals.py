"""The actions a referral's state allows, and on which side of it: the one table that the
services check a press against and every channel builds its buttons from.

A side is who acts: the unit the referral is with (its focal points) or the case's holder
(its teacher, or a coordinator). An action's label is a catalog key; a channel maps the
action's name to its own buttons and lays them out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import ReferralStatus
from bot.services.notices import NoticeButton

S = ReferralStatus
WAITING_FOR_UNIT = (S.SENT, S.INFO_REQUESTED)
TAKEN = (S.ACCEPTED, S.IN_PROGRESS)
# Referrals their case's holder may still take back.
WITHDRAWABLE = (S.UNROUTED, *WAITING_FOR_UNIT, *TAKEN)


class Side(StrEnum):
    UNIT = "unit"  # a focal point of the referral's unit
    HOLDER = "holder"  # the case's teacher, or a coordinator


@dataclass(frozen=True)
class Action:
    name: str
    side: Side
    states: tuple[ReferralStatus, ...]  # in which the action may start
    label: str  # catalog key of its button
    typed: bool = False  # it starts by asking for a typed note


# In the order their buttons are shown.
ACTIONS = {action.name: action for action in (
    Action("accept", Side.UNIT, WAITING_FOR_UNIT, "button-accept"),
    Action("decline", Side.UNIT, WAITING_FOR_UNIT, "button-decline"),
    Action("ask", Side.UNIT, (S.SENT,), "button-ask", typed=True),
    Action("start", Side.UNIT, (S.ACCEPTED,), "button-start"),
    Action("complete", Side.UNIT, TAKEN, "button-complete"),
    # The case stays readable to the unit once it is done (`cases.TAKEN_BY_UNIT`); the
    # button is offered while the unit works on it.
    Action("details", Side.UNIT, TAKEN, "button-details"),
    Action("answer", Side.HOLDER, (S.INFO_REQUESTED,), "button-answer", typed=True),
    Action("withdraw", Side.HOLDER, WITHDRAWABLE, "button-withdraw-one"),
)}


def available(status: ReferralStatus, side: Side) -> list[Action]:
    """What `side` may do to a referral in `status`, in the order of its buttons."""
    return [action for action in ACTIONS.values()
            if action.side is side and status in action.states]


def notice_buttons(names: Iterable[str], referral_id: int) -> list[NoticeButton]:
    """Buttons under a notice that act on the referral it is about."""
    return [NoticeButton(label=ACTIONS[name].label, action=name, target_id=referral_id)
            for name in names]
