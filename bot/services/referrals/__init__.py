"""Referrals: where each support need goes, and what each agency unit does with it.

A need is proposed to a unit when its case is registered (the routing rules), the teacher
may change the destination, then sends. The unit's focal points accept, decline or ask for
information; an accepted referral goes in progress and ends with an outcome. Needs that no
unit takes wait in the coordinators' queue until a coordinator sends them elsewhere.

Every change is one transaction: a conditional UPDATE (so that two presses at the same
instant cannot both win), an audit entry (who, when, from, to, note) and the case's status
derived again. What people must be told, and which chat messages must change, is owed in
the same transaction (the outbox, `bot.services.outbox`) and delivered after the commit;
it is returned too, for the caller to know what was done.

The use cases are split by who acts: `teacher` (the case's holder), `unit` (its focal
points) and `coordinator` (the queue); `common` holds what they share, `views` what
people see. Which actions a state allows is said once, in `bot.flows.referrals`.
"""

from bot.services.referrals.common import (
    NO_UNIT,
    NOTE_LIMIT,
    case_status,
    check,
    parse_note,
)
from bot.services.referrals.coordinator import dismiss, queue, reroute
from bot.services.referrals.teacher import (
    AttendanceAnswered,
    answer_attendance,
    answer_information,
    choose_destination,
    destinations,
    move_plan,
    plan,
    propose_for_case,
    record_move,
    reroute_after_move,
    send,
    withdraw,
    withdrawable,
)
from bot.services.referrals.unit import (
    accept,
    ask_information,
    complete,
    decline,
    details,
    forget_unit_chat,
    inbox,
    link_group,
    show,
    show_again,
    show_in_chat,
    start_work,
    unit_chat_lost,
    unlink_group,
)
from bot.services.referrals.views import (
    PAGE_SIZE,
    Change,
    MovePlan,
    Plan,
    ReferralPage,
    ReferralView,
    shown,
)

__all__ = [
    "NOTE_LIMIT",
    "NO_UNIT",
    "PAGE_SIZE",
    "AttendanceAnswered",
    "Change",
    "MovePlan",
    "Plan",
    "ReferralPage",
    "ReferralView",
    "accept",
    "answer_attendance",
    "answer_information",
    "ask_information",
    "case_status",
    "check",
    "choose_destination",
    "complete",
    "decline",
    "destinations",
    "details",
    "dismiss",
    "forget_unit_chat",
    "inbox",
    "link_group",
    "move_plan",
    "parse_note",
    "plan",
    "propose_for_case",
    "queue",
    "record_move",
    "reroute",
    "reroute_after_move",
    "send",
    "show",
    "show_again",
    "show_in_chat",
    "shown",
    "start_work",
    "unit_chat_lost",
    "unlink_group",
    "withdraw",
    "withdrawable",
]
