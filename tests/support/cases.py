"""Registering a case through the registration service, as the wizard would, in one call."""

from bot.domain.models import Case, User
from bot.runtime import Runtime
from bot.services import referrals, registration
from bot.services.referrals import Change


async def register_case(runtime: Runtime, teacher: User, *, given_name: str = "สมชาย",
                        district: str = "1101", born: str = "15/3/2555",
                        needs: tuple[str, ...] = ("EDUCATION",),
                        wish: str = "school") -> Case:
    """A Thai boy without a document, found in `district` (13 years old on the test clock
    when born 15/3/2555), with these support needs and this education wish."""
    answers = [
        ("text", given_name), ("text", "ใจดี"), ("skip", ""), ("choice", "male"),
        ("choice", "none"), ("choice", "thai"), ("text", born), ("choice", district),
        ("choice", "unknown"), ("skip", ""), ("skip", ""), ("choice", "yes"),
        ("choice", "LOW_INCOME"), ("skip", ""), ("skip", ""), ("choice", "given"),
        *(("choice", need) for need in needs), ("choice", "done" if needs else "none"),
        ("choice", wish),
    ]
    today = runtime.today()
    draft = registration.start()
    for kind, value in answers:
        if kind == "skip":
            draft = registration.skip(draft, today)
        elif kind == "choice":
            draft = registration.answer_choice(draft, value, runtime.geography, today)
        else:
            draft = registration.answer_text(draft, value, today)
    assert draft.step is registration.Step.SUMMARY, draft.step
    return await registration.register_child(
        runtime.db, teacher, draft, code_prefix=runtime.settings.case_code_prefix,
        rules=runtime.routing, now=runtime.now(), today=today)


async def register_and_send(runtime: Runtime, teacher: User,
                            needs: tuple[str, ...] = ("EDUCATION", "CONSUMABLES"),
                            **kwargs: object) -> list[Change]:
    """A registered case whose proposed referrals the teacher sent (Mueang, by default:
    schooling to primary service area 1, supplies to the social-development office)."""
    case = await register_case(runtime, teacher, needs=needs, **kwargs)  # type: ignore[arg-type]
    return await referrals.send(runtime.db, teacher, case.id, now=runtime.now(),
                                default_language="th",
                                policy=runtime.settings.reminder_policy)


def by_need(changes: list[Change], need: str) -> Change:
    [change] = [c for c in changes if c.view.referral.need == need]
    return change


async def delivered_back_then(runtime: Runtime) -> None:
    """What a test set up through the services reached its chats at the time: the outbox
    owes nothing of it any more (as in a deployment, where it was sent long ago)."""
    async with runtime.db.unit_of_work() as uow:
        for row in await uow.outbox.pending(100_000):
            await uow.outbox.sent(row.id, runtime.now())
        await uow.commit()
