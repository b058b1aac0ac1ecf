"""Referrals in chat, split by who acts: the teacher's routing plan, withdrawals and moves
(`teacher`), the unit's referral messages, /inbox and /linkgroup (`unit`), the
coordinators' /queue (`coordinator`); `common` renders a referral message with the buttons
its state allows, and `buttons` hands each press to the side whose step it is.

What changed is shown after each press: the pressed message at once, every other copy of a
referral message and the people concerned through the outbox (`handlers.outbox`).
"""

from handlers.referrals.buttons import choose_destination, choose_referral_option, press_referral
from handlers.referrals.common import referral_keyboard, referral_message
from handlers.referrals.coordinator import queue_page, show_queue
from handlers.referrals.teacher import (
    list_destinations,
    offer_plan,
    press_case_action,
    press_move_plan,
    press_plan,
    record_move,
)
from handlers.referrals.unit import inbox_page, left_group, link_group, show_inbox, unlink_group

__all__ = [
    "choose_destination",
    "choose_referral_option",
    "inbox_page",
    "left_group",
    "link_group",
    "list_destinations",
    "offer_plan",
    "press_case_action",
    "press_move_plan",
    "press_plan",
    "press_referral",
    "queue_page",
    "record_move",
    "referral_keyboard",
    "referral_message",
    "show_inbox",
    "show_queue",
    "unlink_group",
]
