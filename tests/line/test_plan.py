"""The routing plan on LINE: a case's holder changes where a need goes and sends; a
coordinator sends a queued need to a unit; presses by anyone else change nothing."""

from typing import Any

from aiohttp.test_utils import TestClient

from bot.domain.models import ReferralStatus, Role, User
from bot.flows.callback_data import (
    COORDINATORS_DECIDE,
    CaseActionButton,
    DestinationButton,
    DestinationListButton,
    PlanButton,
)
from bot.i18n import translator
from bot.presenters import plain
from bot.runtime import Runtime
from tests.support.cases import register_case
from tests.support.line import (
    PERSON,
    RecordingMessaging,
    actions,
    answer,
    invite_code,
    post,
    postback,
    text,
)

TH = translator("th")
COORDINATOR = "U" + "c" * 32


async def line_user(webhook: TestClient[Any, Any], runtime: Runtime, coordinator: User,
                    person: str, role: Role = Role.TEACHER,
                    unit: str = "school_wat_phraek_sa") -> User:
    await post(webhook, text(f"/start {await invite_code(runtime, coordinator, role, unit)}",
                             user=person))
    user = await runtime.db.read.users.by_channel_id("line", person)
    assert user is not None
    return user


def choices(messaging: RecordingMessaging) -> dict[str, str]:
    """The last message's buttons, label -> data."""
    return {action["label"]: action["data"] for action in actions(answer(messaging)[-1])}


async def test_the_holder_changes_a_destination_then_sends_and_a_coordinator_routes_the_rest(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User
) -> None:
    teacher = await line_user(webhook, runtime, coordinator, PERSON)
    case = await register_case(runtime, teacher, needs=("EDUCATION", "CONSUMABLES"))
    education, consumables = await runtime.db.read.referrals.for_case(case.id)

    await post(webhook, postback(CaseActionButton(case_id=case.id, action="send").pack()))
    plan = choices(messaging)
    change = DestinationListButton(referral_id=education.id, queued=0).pack()
    assert change in plan.values()
    assert plan[plain(TH("button-send"))] == PlanButton(case_id=case.id, action="send").pack()

    await post(webhook, postback(change))
    units = choices(messaging)
    decide = DestinationButton(referral_id=education.id, queued=0,
                               unit_id=COORDINATORS_DECIDE).pack()
    assert decide in units.values() and len(units) >= 2
    await post(webhook, postback(decide))
    assert plain(TH("referral-to-coordinators")) in answer(messaging)[-1].text
    assert (await runtime.db.read.referrals.get(education.id)).organisation_id is None

    await post(webhook, postback(PlanButton(case_id=case.id, action="send").pack()))
    assert answer(messaging)[0].text.startswith(plain(TH("plan-sent")))
    queued = await runtime.db.read.referrals.get(education.id)
    assert queued.status is ReferralStatus.UNROUTED and queued.awaiting_coordinator
    assert (await runtime.db.read.referrals.get(consumables.id)).status is ReferralStatus.SENT
    await post(webhook, postback(PlanButton(case_id=case.id, action="send").pack()))
    assert messaging.replied()[-1] == plain(TH("error-stale"))  # sent already

    # The teacher may not route the queue; a coordinator on LINE does.
    listing = DestinationListButton(referral_id=education.id, queued=1).pack()
    await post(webhook, postback(listing))
    assert messaging.replied()[-1] == plain(TH("error-stale"))
    assert (await runtime.db.read.referrals.get(education.id)).status \
        is ReferralStatus.UNROUTED
    await line_user(webhook, runtime, coordinator, COORDINATOR, Role.COORDINATOR,
                    "peo_samutprakan")
    await post(webhook, postback(listing, user=COORDINATOR))
    units = choices(messaging)
    assert decide not in units.values()
    data = next(iter(units.values()))
    await post(webhook, postback(data, user=COORDINATOR))
    routed = await runtime.db.read.referrals.get(education.id)
    assert routed.status is ReferralStatus.SENT and routed.organisation_id == \
        DestinationButton.unpack(data).unit_id
    assert answer(messaging)[0].text.startswith(plain(TH("plan-sent")))


async def test_later_leaves_the_plan_and_a_stranger_cannot_see_or_send_it(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, other_teacher: User
) -> None:
    teacher = await line_user(webhook, runtime, coordinator, PERSON)
    case = await register_case(runtime, teacher, needs=("EDUCATION",))
    await post(webhook, postback(PlanButton(case_id=case.id, action="later").pack()))
    assert messaging.replied()[-1] == plain(TH("plan-later", code=case.code))

    stranger = "U" + "d" * 32
    await line_user(webhook, runtime, coordinator, stranger, unit="dole_d1103")
    for data in (CaseActionButton(case_id=case.id, action="send").pack(),
                 PlanButton(case_id=case.id, action="send").pack(),
                 PlanButton(case_id=case.id, action="show").pack()):
        await post(webhook, postback(data, user=stranger))
        assert case.code not in messaging.replied()[-1]
    [referral] = await runtime.db.read.referrals.for_case(case.id)
    assert referral.status is ReferralStatus.PROPOSED
