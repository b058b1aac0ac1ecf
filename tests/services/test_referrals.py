"""Referrals through the service layer, on a real SQLite: proposal, sending, each unit's
answers, the coordinators' queue, withdrawal, a move, and who may do which."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from bot.domain.models import (
    CaseStatus,
    DeclineReason,
    Outcome,
    Referral,
    ReferralMessage,
    ReferralStatus,
    Role,
    User,
    WithdrawReason,
)
from bot.errors import (
    AccountDeactivated,
    CaseNotFound,
    GroupLinkedElsewhere,
    PermissionDenied,
    ReferralAlreadyTaken,
    StaleAction,
    TextExpected,
    TextTooLong,
    UnknownOrganisation,
)
from bot.runtime import Runtime
from bot.services import cases, referrals, users
from bot.services.referrals import Change, case_status
from tests.conftest import add_user
from tests.support.cases import by_need, register_and_send, register_case
from tests.support.plans import statements_run

S = ReferralStatus


@pytest.fixture
async def primary(runtime: Runtime, coordinator: User) -> User:
    """A focal point of primary service area 1, which takes schooling in Mueang (1101)."""
    return await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001", "Khun Malai",
                          inviter=coordinator)


@pytest.fixture
async def primary_colleague(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2002", "Khun Wichai",
                          inviter=coordinator)


@pytest.fixture
async def welfare(runtime: Runtime, coordinator: User) -> User:
    """A focal point of the social-development office: health and consumables."""
    return await add_user(runtime, Role.FOCAL_POINT, "msdhs_pso_samutprakan", "3001",
                          "Khun Suda", inviter=coordinator)


@pytest.fixture
async def learning_centre(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.FOCAL_POINT, "dole_d1101", "4001", "Khun Dao",
                          inviter=coordinator)


async def _status(runtime: Runtime, referral_id: int) -> ReferralStatus:
    referral = await runtime.db.read.referrals.get(referral_id)
    assert referral is not None
    return referral.status


async def _actions(runtime: Runtime, referral_id: int) -> list[str]:
    return [entry.action for entry in
            await runtime.db.read.audit.for_entity("referral", referral_id)]


# --- proposing and sending --------------------------------------------------------------


async def test_registering_a_case_proposes_a_unit_for_each_need(
    runtime: Runtime, teacher: User
) -> None:
    case = await register_case(runtime, teacher, needs=("EDUCATION", "CONSUMABLES"))

    plan = await referrals.plan(runtime.db, teacher, case.id)

    proposed = {view.referral.need: view.unit.id if view.unit else None for view in plan.views}
    assert proposed == {"EDUCATION": "spp1_samutprakan", "CONSUMABLES": "msdhs_pso_samutprakan"}
    assert {view.referral.status for view in plan.views} == {S.PROPOSED}
    assert (await runtime.db.read.cases.get(case.id)).status is CaseStatus.OPEN


@asynccontextmanager
async def _statements_read(runtime: Runtime) -> AsyncIterator[list[object]]:
    """Each statement the read connection runs inside the block: SQLite traces them; on
    PostgreSQL each call to the connection is one (`statements_run`)."""
    conn = runtime.db.read.conn
    if conn.dialect == "sqlite":
        traced: list[object] = []
        await conn.set_trace_callback(traced.append)  # type: ignore[attr-defined]
        try:
            yield traced
        finally:
            await conn.set_trace_callback(None)  # type: ignore[attr-defined]
    else:
        with statements_run(conn) as run:  # type: ignore[arg-type]
            yield run  # type: ignore[misc]


async def test_an_inbox_page_takes_as_many_reads_for_five_referrals_as_for_one(
    runtime: Runtime, teacher: User, primary: User
) -> None:
    """Each referral's case, child, unit and taker are read for the whole page at once."""

    async def reads_of_the_inbox() -> tuple[int, referrals.ReferralPage]:
        async with _statements_read(runtime) as statements:
            page = await referrals.inbox(runtime.db, primary, 0)
        return len(statements), page

    [first] = await register_and_send(runtime, teacher, needs=("EDUCATION",))
    await referrals.accept(runtime.db, primary, first.view.referral.id, now=runtime.now())
    reads_for_one, page = await reads_of_the_inbox()
    for _ in range(referrals.PAGE_SIZE - 1):
        await register_and_send(runtime, teacher, needs=("EDUCATION",))
    reads_for_five, page = await reads_of_the_inbox()

    assert reads_for_five == reads_for_one > 0
    assert len(page.views) == referrals.PAGE_SIZE
    [taken] = [view for view in page.views if view.referral.id == first.view.referral.id]
    assert taken.accepted_by_name == "Khun Malai"
    assert {view.unit.id for view in page.views if view.unit} == {"spp1_samutprakan"}
    cases = {view.case_code for view in page.views}
    assert len(cases) == referrals.PAGE_SIZE


async def test_the_teacher_changes_a_destination_before_sending(
    runtime: Runtime, teacher: User, other_teacher: User
) -> None:
    case = await register_case(runtime, teacher)
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    rid = proposed.referral.id

    choices = await referrals.destinations(runtime.db, teacher, rid, runtime.today())
    assert "dole_d1101" in [unit.id for unit in choices]
    assert all("1101" in unit.districts for unit in choices)
    assert "spp1_samutprakan" not in [unit.id for unit in choices]  # where it goes already

    plan = await referrals.choose_destination(runtime.db, teacher, rid, "dole_d1101",
                                              now=runtime.now())
    assert plan.views[0].unit is not None and plan.views[0].unit.id == "dole_d1101"
    plan = await referrals.choose_destination(runtime.db, teacher, rid, None, now=runtime.now())
    assert plan.views[0].unit is None  # the coordinators will decide

    for not_a_destination in ("school_wat_phraek_sa", "peo_samutprakan", "no_such_unit"):
        with pytest.raises(UnknownOrganisation):
            await referrals.choose_destination(runtime.db, teacher, rid, not_a_destination,
                                               now=runtime.now())
    with pytest.raises(PermissionDenied):
        await referrals.choose_destination(runtime.db, other_teacher, rid, "dole_d1101",
                                           now=runtime.now())
    assert await _actions(runtime, rid) == ["referral.choose", "referral.choose"]


async def test_sending_shows_each_referral_to_its_units_focal_points(
    runtime: Runtime, teacher: User, coordinator: User, primary: User,
    primary_colleague: User, welfare: User
) -> None:
    changes = await register_and_send(runtime, teacher)

    education = by_need(changes, "EDUCATION")
    assert education.view.referral.status is S.SENT
    assert sorted(d.chat_id for d in education.deliveries) == ["2001", "2002"]
    assert all(d.message_id is None for d in education.deliveries)
    assert [d.chat_id for d in by_need(changes, "CONSUMABLES").deliveries] == ["3001"]
    case = await runtime.db.read.cases.get(education.view.referral.case_id)
    assert case is not None and case.status is CaseStatus.REFERRED
    with pytest.raises(StaleAction):  # nothing left to send
        await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                             default_language="th")


async def test_a_unit_without_focal_points_is_flagged_to_the_coordinators(
    runtime: Runtime, teacher: User, coordinator: User, primary: User
) -> None:
    changes = await register_and_send(runtime, teacher)

    consumables = by_need(changes, "CONSUMABLES")
    assert consumables.deliveries == []
    assert [(n.key, n.channel_user_id) for n in consumables.notices] == [
        ("referral-unit-unstaffed-notice", "9001")]


async def test_a_need_without_a_unit_goes_to_the_coordinators_queue(
    runtime: Runtime, teacher: User, coordinator: User
) -> None:
    case = await register_case(runtime, teacher)
    [proposed] = (await referrals.plan(runtime.db, teacher, case.id)).views
    await referrals.choose_destination(runtime.db, teacher, proposed.referral.id, None,
                                       now=runtime.now())

    [change] = await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                                    default_language="th")

    assert change.view.referral.status is S.UNROUTED and change.deliveries == []
    assert [(n.key, n.channel_user_id) for n in change.notices] == [
        ("referral-queued-notice", "9001")]
    queue = await referrals.queue(runtime.db, coordinator, 0)
    assert [view.referral.id for view in queue.views] == [proposed.referral.id]
    with pytest.raises(PermissionDenied):
        await referrals.queue(runtime.db, teacher, 0)


# --- the unit's answers -----------------------------------------------------------------


async def test_a_focal_point_accepts_starts_and_completes(
    runtime: Runtime, teacher: User, primary: User, welfare: User
) -> None:
    changes = await register_and_send(runtime, teacher)
    education = by_need(changes, "EDUCATION")
    rid = education.view.referral.id
    async with runtime.db.unit_of_work() as uow:  # as the outbox does once it was shown
        await uow.referrals.add_messages([
            ReferralMessage(referral_id=rid, channel="telegram", chat_id="2001",
                            message_id="77", language="th")])
        await uow.commit()

    accepted = await referrals.accept(runtime.db, primary, rid, now=runtime.now())

    assert accepted.view.referral.status is S.ACCEPTED
    assert accepted.view.accepted_by_name == "Khun Malai"
    assert [(d.chat_id, d.message_id) for d in accepted.deliveries] == [("2001", "77")]
    assert [(n.key, n.channel_user_id) for n in accepted.notices] == [
        ("referral-accepted-notice", "1001")]
    assert accepted.details is not None and accepted.details.child.given_name == "สมชาย"
    case_id = education.view.referral.case_id
    assert (await runtime.db.read.cases.get(case_id)).status is CaseStatus.IN_PROGRESS

    await referrals.start_work(runtime.db, primary, rid, now=runtime.now())
    done = await referrals.complete(runtime.db, primary, rid, Outcome.ENROLLED_SCHOOL,
                                    now=runtime.now())

    assert done.view.referral.status is S.COMPLETED
    assert done.view.referral.outcome is Outcome.ENROLLED_SCHOOL
    assert [n.labels["outcome"] for n in done.notices] == ["outcome-enrolled_school"]
    assert await _actions(runtime, rid) == [
        "referral.send", "referral.accept", "referral.start", "referral.complete"]
    # The welfare referral is still open, so the case is still referred, not completed.
    assert (await runtime.db.read.cases.get(case_id)).status is CaseStatus.REFERRED


async def test_two_focal_points_pressing_accept_at_once_make_one_acceptance(
    runtime: Runtime, teacher: User, primary: User, primary_colleague: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id

    results = await asyncio.gather(
        referrals.accept(runtime.db, primary, rid, now=runtime.now()),
        referrals.accept(runtime.db, primary_colleague, rid, now=runtime.now()),
        return_exceptions=True)

    winners = [r for r in results if isinstance(r, Change)]
    losers = [r for r in results if isinstance(r, ReferralAlreadyTaken)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].params == {"name": winners[0].view.accepted_by_name}
    assert (await _actions(runtime, rid)).count("referral.accept") == 1


async def test_a_focal_point_of_another_unit_can_do_nothing_with_a_referral(
    runtime: Runtime, teacher: User, primary: User, learning_centre: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    before = await _actions(runtime, rid)

    attempts = [
        referrals.accept(runtime.db, learning_centre, rid, now=runtime.now()),
        referrals.decline(runtime.db, learning_centre, rid, DeclineReason.NO_CAPACITY,
                          now=runtime.now()),
        referrals.ask_information(runtime.db, learning_centre, rid, "?", now=runtime.now()),
        referrals.check(runtime.db, learning_centre, rid, "decline"),
        referrals.show(runtime.db, learning_centre, rid),
        referrals.details(runtime.db, learning_centre, rid),
        referrals.withdraw(runtime.db, learning_centre, rid, WithdrawReason.DUPLICATE,
                           now=runtime.now(), default_language="th"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            await attempt

    assert await _status(runtime, rid) is S.SENT
    assert await _actions(runtime, rid) == before


async def test_the_child_is_visible_only_to_the_unit_that_took_the_referral(
    runtime: Runtime, teacher: User, primary: User, welfare: User
) -> None:
    changes = await register_and_send(runtime, teacher)
    education = by_need(changes, "EDUCATION").view.referral.id
    code = changes[0].view.case_code

    with pytest.raises(PermissionDenied):  # not before accepting
        await referrals.details(runtime.db, primary, education)
    with pytest.raises(CaseNotFound):
        await cases.open_case(runtime.db, primary, code)

    await referrals.accept(runtime.db, primary, education, now=runtime.now())

    card = await cases.open_case(runtime.db, primary, code)
    assert card.child.given_name == "สมชาย"
    assert [line.referral.need for line in card.referrals] == ["EDUCATION"]  # only theirs
    assert not (card.can_send or card.can_withdraw or card.holder)
    with pytest.raises(CaseNotFound):
        await cases.open_case(runtime.db, welfare, code)


async def test_a_decline_needs_a_reason_and_lands_in_the_queue(
    runtime: Runtime, teacher: User, coordinator: User, primary: User, learning_centre: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id

    declined = await referrals.decline(runtime.db, primary, rid, DeclineReason.OTHER,
                                       now=runtime.now(), note="The school is full")

    assert declined.view.referral.status is S.DECLINED
    assert declined.view.referral.reason == "other"
    told = {(n.key, n.channel_user_id) for n in declined.notices}
    assert told == {("referral-declined-notice", "1001"),
                    ("referral-declined-coordinator-notice", "9001")}
    [entry] = [e for e in await runtime.db.read.audit.for_entity("referral", rid)
               if e.action == "referral.decline"]
    assert entry.actor_id == primary.id
    assert entry.before == {"status": "sent", "organisation_id": "spp1_samutprakan"}
    assert entry.after["note"] == "The school is full"
    queue = await referrals.queue(runtime.db, coordinator, 0)
    assert [view.referral.id for view in queue.views] == [rid]

    rerouted = await referrals.reroute(runtime.db, coordinator, rid, "dole_d1101",
                                       now=runtime.now(), default_language="th")

    new = rerouted.view.referral
    assert (new.status, new.organisation_id, new.previous_id) == (S.SENT, "dole_d1101", rid)
    assert [d.chat_id for d in rerouted.deliveries] == ["4001"]
    assert [n.key for n in rerouted.notices] == ["referral-rerouted-notice"]
    assert (await referrals.queue(runtime.db, coordinator, 0)).total == 0
    assert await _status(runtime, rid) is S.DECLINED  # the unit's answer stays on record
    with pytest.raises(StaleAction):  # already re-routed
        await referrals.reroute(runtime.db, coordinator, rid, "dole_d1101", now=runtime.now(),
                                default_language="th")


async def test_only_coordinators_reroute_or_close_queued_needs(
    runtime: Runtime, teacher: User, coordinator: User, primary: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    await referrals.decline(runtime.db, primary, rid, DeclineReason.NO_CAPACITY,
                            now=runtime.now())
    for actor in (teacher, primary):
        with pytest.raises(PermissionDenied):
            await referrals.reroute(runtime.db, actor, rid, "dole_d1101", now=runtime.now(),
                                    default_language="th")
        with pytest.raises(PermissionDenied):
            await referrals.dismiss(runtime.db, actor, rid, now=runtime.now())

    closed = await referrals.dismiss(runtime.db, coordinator, rid, now=runtime.now())

    assert [n.key for n in closed.notices] == ["referral-dismissed-notice"]
    assert (await referrals.queue(runtime.db, coordinator, 0)).total == 0
    case = await runtime.db.read.cases.get(closed.view.referral.case_id)
    assert case is not None and case.status is CaseStatus.REFERRED  # consumables still open


async def test_the_unit_asks_and_the_teacher_answers_through_the_bot(
    runtime: Runtime, teacher: User, primary: User, primary_colleague: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id

    asked = await referrals.ask_information(runtime.db, primary, rid,
                                            referrals.parse_note("  Which grade?  "),
                                            now=runtime.now())
    [question] = asked.notices
    assert (question.key, question.channel_user_id) == ("referral-question-notice", "1001")
    assert question.params["question"] == "Which grade?"
    assert [(b.action, b.target_id) for b in question.buttons] == [("answer", rid)]
    with pytest.raises(StaleAction):  # one question at a time
        await referrals.check(runtime.db, primary, rid, "ask")

    answered = await referrals.answer_information(runtime.db, teacher, rid, "Grade 5",
                                                  now=runtime.now(), default_language="th")

    assert answered.view.referral.status is S.SENT
    assert sorted(n.channel_user_id for n in answered.notices) == ["2001", "2002"]
    assert {n.params["answer"] for n in answered.notices} == {"Grade 5"}
    notes = [e.after["note"] for e in await runtime.db.read.audit.for_entity("referral", rid)
             if e.after and "note" in e.after]
    assert notes == ["Which grade?", "Grade 5"]
    with pytest.raises(TextExpected):
        referrals.parse_note(" \u200b ")
    with pytest.raises(TextTooLong):
        referrals.parse_note("x" * (referrals.NOTE_LIMIT + 1))


async def test_the_teacher_withdraws_a_referral_and_the_unit_is_told(
    runtime: Runtime, teacher: User, other_teacher: User, primary: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    with pytest.raises(PermissionDenied):
        await referrals.withdraw(runtime.db, other_teacher, rid, WithdrawReason.DUPLICATE,
                                 now=runtime.now(), default_language="th")

    withdrawn = await referrals.withdraw(runtime.db, teacher, rid,
                                         WithdrawReason.SENT_BY_MISTAKE, now=runtime.now(),
                                         default_language="th")

    assert withdrawn.view.referral.status is S.CANCELLED
    assert [(n.key, n.channel_user_id) for n in withdrawn.notices] == [
        ("referral-withdrawn-notice", "2001")]
    with pytest.raises(StaleAction):
        await referrals.accept(runtime.db, primary, rid, now=runtime.now())
    with pytest.raises(StaleAction):
        await referrals.withdraw(runtime.db, teacher, rid, WithdrawReason.DUPLICATE,
                                 now=runtime.now(), default_language="th")


async def test_when_the_child_moves_open_referrals_are_offered_to_the_new_districts_units(
    runtime: Runtime, teacher: User, primary: User, welfare: User
) -> None:
    changes = await register_and_send(runtime, teacher)
    education = by_need(changes, "EDUCATION").view.referral
    case_id = education.case_id

    plan = await referrals.record_move(runtime.db, teacher, case_id, "1102",
                                       rules=runtime.routing, now=runtime.now(),
                                       today=runtime.today())

    # The welfare office covers the whole province; the primary service area 1 does not
    # cover Bang Bo (1102), service area 2 does.
    assert [(i.view.referral.id, i.proposed.id if i.proposed else None)
            for i in plan.items] == [(education.id, "spp2_samutprakan")]
    assert (await runtime.db.read.cases.get(case_id)).district_code == "1102"

    moved = await referrals.reroute_after_move(
        runtime.db, teacher, case_id, rules=runtime.routing, now=runtime.now(),
        today=runtime.today(), default_language="th")

    withdrawn, resent = moved
    assert withdrawn.view.referral.status is S.CANCELLED
    assert withdrawn.view.referral.reason == "child_moved"
    assert [n.channel_user_id for n in withdrawn.notices] == ["2001"]
    assert resent.view.referral.organisation_id == "spp2_samutprakan"
    assert resent.view.referral.previous_id == education.id
    with pytest.raises(StaleAction):  # nothing left to re-route
        await referrals.reroute_after_move(
            runtime.db, teacher, case_id, rules=runtime.routing, now=runtime.now(),
            today=runtime.today(), default_language="th")


async def test_typed_text_reaches_a_units_focal_points_privately_never_its_group(
    runtime: Runtime, teacher: User, primary: User, primary_colleague: User
) -> None:
    """A group's members need not be people of Panong: a teacher's answer or a typed
    withdrawal reason goes to the unit's focal points in private; the group hears only
    that it happened."""
    await referrals.link_group(runtime.db, primary, channel="telegram", chat_id="-100",
                               title="Primary ESA 1 team", language="th", now=runtime.now())
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    await referrals.ask_information(runtime.db, primary, rid, "Which grade?",
                                    now=runtime.now())

    answered = await referrals.answer_information(
        runtime.db, teacher, rid, "Grade 5, at Wat Bang Phli", now=runtime.now(),
        default_language="th")
    withdrawn = await referrals.withdraw(
        runtime.db, teacher, rid, WithdrawReason.OTHER, now=runtime.now(),
        default_language="th", note="Her uncle took her to Rayong")

    for change, typed in ((answered, "Grade 5"), (withdrawn, "Rayong")):
        to_group = [n for n in change.notices if n.channel_user_id == "-100"]
        private = [n for n in change.notices if n.channel_user_id in ("2001", "2002")]
        assert len(to_group) == 1 and sorted(n.channel_user_id for n in private) == [
            "2001", "2002"]
        assert not any(typed in str(value) for value in to_group[0].params.values())
        assert all(any(typed in str(value) for value in n.params.values()) for n in private)
    owed = [row for row in await runtime.db.read.outbox.pending(100)
            if row.chat_id == "-100"]
    assert owed and not any(typed in row.model_dump_json()
                            for row in owed for typed in ("Grade 5", "Rayong"))


async def test_a_linked_group_receives_its_units_referrals(
    runtime: Runtime, teacher: User, primary: User, primary_colleague: User, welfare: User
) -> None:
    unit = await referrals.link_group(runtime.db, primary, channel="telegram", chat_id="-100",
                                      title="Primary ESA 1 team", language="th",
                                      now=runtime.now())
    assert unit.id == "spp1_samutprakan"
    with pytest.raises(GroupLinkedElsewhere):
        await referrals.link_group(runtime.db, welfare, channel="telegram", chat_id="-100",
                                   title="x", language="th", now=runtime.now())
    with pytest.raises(PermissionDenied):
        await referrals.link_group(runtime.db, teacher, channel="telegram", chat_id="-200",
                                   title="x", language="th", now=runtime.now())

    changes = await register_and_send(runtime, teacher)
    assert [d.chat_id for d in by_need(changes, "EDUCATION").deliveries] == ["-100"]

    await referrals.unit_chat_lost(runtime.db, channel="telegram", chat_id="-100",
                                   now=runtime.now())
    rid = by_need(changes, "EDUCATION").view.referral.id
    async with runtime.db.unit_of_work() as uow:
        await referrals.show_again(uow, rid, "th", runtime.now())
        await uow.commit()
    shown_again = [row.chat_id for row in await runtime.db.read.outbox.pending(100)
                   if row.referral_id == rid and row.chat_id != "-100"]
    assert sorted(shown_again) == ["2001", "2002"]


async def test_a_deactivated_focal_point_is_refused(
    runtime: Runtime, teacher: User, coordinator: User, primary: User
) -> None:
    rid = by_need(await register_and_send(runtime, teacher), "EDUCATION").view.referral.id
    await users.set_user_active(runtime.db, coordinator, primary.id, False, runtime.now())

    with pytest.raises(AccountDeactivated):
        await referrals.accept(runtime.db, primary, rid, now=runtime.now())
    assert await _status(runtime, rid) is S.SENT


def _referral(status: ReferralStatus, *, awaiting: bool = False) -> Referral:
    now = datetime(2025, 11, 24, tzinfo=UTC)
    return Referral(id=1, case_id=1, need="EDUCATION", organisation_id=None, status=status,
                    awaiting_coordinator=awaiting, previous_id=None, reason=None, outcome=None,
                    created_by=1, sent_at=None, accepted_by=None, accepted_at=None,
                    closed_at=None, created_at=now, updated_at=now)


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], CaseStatus.OPEN),
    ([S.PROPOSED], CaseStatus.OPEN),
    ([S.SENT, S.PROPOSED], CaseStatus.REFERRED),
    ([S.UNROUTED], CaseStatus.REFERRED),
    ([S.INFO_REQUESTED, S.COMPLETED], CaseStatus.REFERRED),
    ([S.ACCEPTED, S.SENT], CaseStatus.IN_PROGRESS),
    ([S.IN_PROGRESS, S.DECLINED], CaseStatus.IN_PROGRESS),
    ([S.COMPLETED, S.CANCELLED], CaseStatus.COMPLETED),
    ([S.DECLINED, S.CANCELLED], CaseStatus.CLOSED),
])
def test_a_cases_status_follows_from_its_referrals(
    statuses: list[ReferralStatus], expected: CaseStatus
) -> None:
    assert case_status([_referral(status) for status in statuses]) is expected


def test_a_declined_referral_waiting_for_the_coordinators_keeps_the_case_referred() -> None:
    assert case_status([_referral(S.DECLINED, awaiting=True)]) is CaseStatus.REFERRED
