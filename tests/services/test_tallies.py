"""The running tallies behind summaries stay exactly what a recount from the tables gives,
through registrations, every referral change and a move."""

from bot.domain.models import DeclineReason, Outcome, Role, User, WithdrawReason
from bot.runtime import Runtime
from bot.services import referrals
from tests.conftest import FakeClock, add_user
from tests.support.cases import by_need, register_and_send, register_case

TABLES = ("tally_people", "tally_causes", "tally_needs", "tally_referrals",
          "tally_accept_days")


async def snapshot(runtime: Runtime) -> dict[str, set[tuple]]:
    found = {}
    for table in TABLES:
        rows = await runtime.db.read.conn.execute_fetchall(
            f"SELECT * FROM {table} WHERE n <> 0")
        found[table] = {tuple(row) for row in rows}
    return found


async def test_every_change_keeps_the_tallies_equal_to_a_recount(
    runtime: Runtime, clock: FakeClock, teacher: User, coordinator: User
) -> None:
    policy = runtime.settings.reminder_policy
    primary = await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", "2001",
                             inviter=coordinator)
    welfare = await add_user(runtime, Role.FOCAL_POINT, "msdhs_pso_samutprakan", "3001",
                             inviter=coordinator)
    first = await register_and_send(runtime, teacher)
    clock.advance(hours=20)  # past midnight in Bangkok: another day
    second = await register_and_send(runtime, teacher, district="1103", born="1/1/2560")
    await register_case(runtime, teacher, needs=())  # proposed nothing, sent nothing

    education = by_need(first, "EDUCATION").view.referral.id
    clock.advance(days=2)
    await referrals.accept(runtime.db, primary, education, now=runtime.now(), policy=policy)
    await referrals.complete(runtime.db, primary, education, Outcome.ENROLLED_SCHOOL,
                             now=runtime.now(), policy=policy)
    supplies = by_need(first, "CONSUMABLES").view.referral.id
    await referrals.decline(runtime.db, welfare, supplies, DeclineReason.NO_CAPACITY,
                            now=runtime.now(), policy=policy)
    await referrals.reroute(runtime.db, coordinator, supplies, "dole_d1101",
                            now=runtime.now(), default_language="th", policy=policy)
    await referrals.withdraw(runtime.db, teacher, by_need(second, "CONSUMABLES").view.referral.id,
                             WithdrawReason.SENT_BY_MISTAKE, now=runtime.now(),
                             default_language="th", policy=policy)
    case_id = by_need(second, "EDUCATION").view.referral.case_id
    await referrals.record_move(runtime.db, teacher, case_id, "1101", rules=runtime.routing,
                                now=runtime.now(), today=runtime.today())
    await referrals.reroute_after_move(runtime.db, teacher, case_id, rules=runtime.routing,
                                       now=runtime.now(), today=runtime.today(),
                                       default_language="th", policy=policy)
    kept = await snapshot(runtime)
    assert kept["tally_accept_days"] and len(kept["tally_people"]) >= 2

    async with runtime.db.unit_of_work() as uow:
        await uow.tallies.rebuild()
        await uow.commit()

    assert await snapshot(runtime) == kept
