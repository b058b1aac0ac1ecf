"""The buttons a step offers, the same on every channel: (label, data) pairs, labels
translated, that Telegram lays out as an inline keyboard and LINE as quick replies or a
card's buttons. What may be offered is decided here once; each adapter only lays it out.
"""

from collections.abc import Sequence
from typing import NamedTuple

from bot.domain.models import WithdrawReason
from bot.flows.callback_data import (
    CallbackData,
    CaseActionButton,
    MoveDistrictButton,
    MovePlanButton,
    NoteButton,
    ReferralButton,
    ReferralChoiceButton,
    RemindMeButton,
    action_data,
)
from bot.flows.referrals import ACTIONS
from bot.geography import Geography
from bot.i18n import Translator
from bot.services.cases import CaseCard
from bot.services.referrals import ReferralView

Choice = tuple[str, CallbackData]
# "Remind me" from a case card: in so many days (or a typed date).
REMIND_IN_DAYS = (1, 3, 7, 14)


class Menu(NamedTuple):
    """A menu's choices, then what stands apart from them (another reason, keep, back)."""

    choices: list[Choice]
    extra: list[Choice]

    @property
    def every(self) -> list[Choice]:
        return [*self.choices, *self.extra]


def pager(page: int, pages: int, make: type[CallbackData], t: Translator,
          **fields: object) -> list[Choice]:
    """‹ and ›, only where there is somewhere to go; `make` has a `page` field."""
    nav: list[Choice] = []
    if page > 0:
        nav.append((t("button-previous"), make(page=page - 1, **fields)))
    if page + 1 < pages:
        nav.append((t("button-next"), make(page=page + 1, **fields)))
    return nav


def case_card(card: CaseCard, t: Translator) -> list[Choice]:
    """What the viewer may do from a case card."""
    case_id = card.case.id
    actions = [(card.can_send, "button-send-referrals", "send"),
               (card.can_withdraw, "button-withdraw", "withdraw"),
               (card.holder, "button-moved", "moved"),
               (card.holder, "button-remind-me", "remind")]
    return [(t(label), CaseActionButton(case_id=case_id, action=action))
            for allowed, label, action in actions if allowed]


def remind_when(case_id: int, t: Translator) -> Menu:
    """"Remind me": the quick choices, or a date to type."""
    return Menu([(t(f"button-remind-in-{days}"), RemindMeButton(case_id=case_id, days=days))
                 for days in REMIND_IN_DAYS],
                [(t("button-remind-on-date"), NoteButton(target_id=case_id, kind="remind"))])


def withdrawable(views: Sequence[ReferralView], t: Translator) -> list[Choice]:
    """A case's referrals its holder may withdraw, one button each."""
    withdraw = ACTIONS["withdraw"]
    return [(t(withdraw.label, need=t(f"need-{view.referral.need}"),
               unit=view.unit.short_name(t.lang) if view.unit
               else t("referral-to-coordinators")),
             action_data(withdraw, view.referral.id))
            for view in views]


def withdraw_reasons(referral_id: int, t: Translator) -> Menu:
    """Why a referral is withdrawn: the reasons, then another (typed) or keep it."""
    return Menu([(t(f"withdraw-{reason}"), ReferralChoiceButton(
        referral_id=referral_id, action="withdraw", value=reason))
        for reason in WithdrawReason if reason is not WithdrawReason.OTHER],
        [(t("button-other-reason"), NoteButton(target_id=referral_id, kind="withdraw")),
         (t("button-keep"), ReferralButton(referral_id=referral_id, action="keep"))])


def districts(case_id: int, geography: Geography, t: Translator) -> list[Choice]:
    """Where the child of a case lives now."""
    return [(place.name(t.lang), MoveDistrictButton(case_id=case_id, district_code=place.code))
            for place in geography.districts]


def after_move(case_id: int, t: Translator) -> list[Choice]:
    """After a move that leaves referrals with units not covering the child: send them to
    the new district's units, or keep them."""
    return [(t("button-reroute"), MovePlanButton(case_id=case_id, action="reroute")),
            (t("button-keep"), MovePlanButton(case_id=case_id, action="keep"))]
