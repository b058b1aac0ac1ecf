"""Referrals as people see them: the least data a unit needs to decide, what a use case
changed and must show, pages of an inbox or a queue, a teacher's plan and a move's."""

from datetime import date

from pydantic import BaseModel, ConfigDict

from bot.domain import dates
from bot.domain.models import (
    Case,
    Consent,
    EducationWish,
    Nationality,
    Organisation,
    Referral,
    Sex,
)
from bot.services.cases import CaseCard
from bot.services.notices import Notice
from storage.interface import Repositories

PAGE_SIZE = 5


class ReferralView(BaseModel):
    """A referral as its unit sees it before accepting: the least data that lets them decide.
    No name, no identity number, no guardian contact."""

    model_config = ConfigDict(frozen=True)

    referral: Referral
    case_code: str
    sex: Sex
    birth_date: date | None
    birth_year: int
    birth_estimated: bool
    nationality: Nationality
    district_code: str
    wish: EducationWish
    consent: Consent
    unit: Organisation | None
    accepted_by_name: str | None

    def age(self, today: date) -> int:
        return dates.age_from(self.birth_date, self.birth_year, today)


class Delivery(BaseModel):
    """A referral shown in a chat: a new message when `message_id` is None, else an edit."""

    model_config = ConfigDict(frozen=True)

    view: ReferralView
    channel: str
    chat_id: str
    language: str
    message_id: str | None = None


class Change(BaseModel):
    """What one use case did to one referral, and what must be shown or told because of it."""

    model_config = ConfigDict(frozen=True)

    view: ReferralView
    deliveries: list[Delivery] = []
    notices: list[Notice] = []
    # The full case, for the focal point who just accepted it (sent to them privately).
    details: CaseCard | None = None


class ReferralPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    views: list[ReferralView]
    page: int
    pages: int
    total: int


class Plan(BaseModel):
    """The destinations proposed for a case's needs, before the teacher sends them."""

    model_config = ConfigDict(frozen=True)

    case: Case
    views: list[ReferralView]


class MoveItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    view: ReferralView
    proposed: Organisation | None


class MovePlan(BaseModel):
    """After a child moved: the open referrals whose unit does not cover the new district."""

    model_config = ConfigDict(frozen=True)

    case: Case
    items: list[MoveItem]


async def view_of(repos: Repositories, referral: Referral) -> ReferralView:
    [view] = await views_of(repos, [referral])
    return view


async def shown(repos: Repositories, referral_id: int) -> ReferralView | None:
    """The referral as its messages show it now."""
    referral = await repos.referrals.get(referral_id)
    return None if referral is None else await view_of(repos, referral)


async def views_of(repos: Repositories, referrals: list[Referral]) -> list[ReferralView]:
    """The referrals as people see them, in four reads however many there are (a page of
    an inbox read each one's case, child, unit and taker one at a time)."""
    cases = await repos.cases.many({r.case_id for r in referrals})
    children = await repos.cases.children({case.child_id for case in cases.values()})
    units = await repos.organisations.many({r.organisation_id for r in referrals
                                            if r.organisation_id})
    takers = {user.id: user for user in await repos.users.many(
        {r.accepted_by for r in referrals if r.accepted_by})}
    views = []
    for referral in referrals:
        case = cases[referral.case_id]
        child = children[case.child_id]
        taker = takers.get(referral.accepted_by) if referral.accepted_by else None
        views.append(ReferralView(
            referral=referral, case_code=case.code, sex=child.sex, birth_date=child.birth_date,
            birth_year=child.birth_year, birth_estimated=child.birth_estimated,
            nationality=child.nationality, district_code=case.district_code,
            wish=case.education_wish, consent=case.consent,
            unit=units.get(referral.organisation_id) if referral.organisation_id else None,
            accepted_by_name=taker.display_name if taker else None,
        ))
    return views


async def edits(repos: Repositories, view: ReferralView) -> list[Delivery]:
    """Every message already showing the referral, to show its new state."""
    return [Delivery(view=view, channel=m.channel, chat_id=m.chat_id, language=m.language,
                     message_id=m.message_id)
            for m in await repos.referrals.messages(view.referral.id)]


def clamp(page: int, total: int) -> tuple[int, int]:
    """The page asked for, within the pages there are; and how many there are."""
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages
