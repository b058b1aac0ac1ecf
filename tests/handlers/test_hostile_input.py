"""Random and adversarial updates through the real Application (hypothesis).

Whatever people type or press, in any script, with emoji, zero-width characters, SQL and
HTML fragments, forged buttons naming other people's things, commands with wrong
arguments: nothing raises past the error handler, nothing is changed that should not be,
and everyone gets an answer.
"""

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import Role, User
from bot.runtime import Runtime
from tests.conftest import add_user
from tests.handlers.conftest import COORDINATOR, STRANGER, TEACHER, ChatHarness
from tests.support.cases import register_and_send
from tests.support.telegram_fake import FakeUser

FOCAL = FakeUser(id=2001, first_name="Malai", language_code="en")
NASTY = ["'; DROP TABLE cases; --", "<b>bold</b><script>x</script>", "&amp;&lt;", "\u200b\u200d",
         "\u202e", "🙂" * 50, "\x00", "ย" * 5000, "/start ../../etc", "%s%n", "{ $code }"]
PREFIXES = ["w", "mc", "case", "lang", "ivr", "ivo", "ivp", "up", "ua", "rf", "rfc", "nt",
            "pl", "dl", "ds", "ca", "md", "mp", "ip", "qp", "sz", "at", "rm", "sm", "rp", "lp",
            "lo", "lm", "er", "x"]
COMMANDS = ["/start", "/new", "/case", "/case SPK-2568-00001 extra", "/mycases", "/inbox",
            "/queue", "/summary", "/export", "/chart", "/locate", "/erase", "/erase x",
            "/invite", "/users", "/reminders", "/linkgroup", "/language", "/cancel", "/help"]
PARTS = st.one_of(st.integers(-5, 10**12).map(str), st.sampled_from(
    ["accept", "decline", "1", "0", "fy", "province", "-", "spp1_samutprakan", "yes", "no",
     "found", ""]), st.text(max_size=8))
CALLBACK = st.builds(lambda prefix, parts: ":".join([prefix, *parts]),
                     st.sampled_from(PREFIXES), st.lists(PARTS, max_size=5))
TEXT = st.one_of(st.text(max_size=300), st.sampled_from(NASTY + COMMANDS),
                 st.builds(lambda a, b: a + b, st.sampled_from(NASTY + COMMANDS),
                           st.text(max_size=40)))
PEOPLE = [TEACHER, FOCAL, COORDINATOR, STRANGER]


@pytest.fixture
async def world(runtime: Runtime, coordinator: User, teacher: User) -> None:
    await add_user(runtime, Role.FOCAL_POINT, "spp1_samutprakan", str(FOCAL.id), "Malai",
                   inviter=coordinator, language="en")
    await register_and_send(runtime, teacher)


async def _counts(runtime: Runtime) -> tuple[int, ...]:
    counts = []
    for table in ("cases", "children", "users", "invites", "leads"):
        rows = await runtime.db.read.conn.execute_fetchall(f"SELECT count(*) FROM {table}")
        counts.append(rows[0][0])
    return tuple(counts)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(person=st.sampled_from(PEOPLE), actions=st.lists(
    st.one_of(st.tuples(st.just("text"), TEXT), st.tuples(st.just("press"), CALLBACK)),
    min_size=1, max_size=4))
async def test_nothing_hostile_breaks_the_bot_or_changes_what_it_should_not(
    chat: ChatHarness, runtime: Runtime, world: None, caplog: pytest.LogCaptureFixture,
    person: FakeUser, actions: list[tuple[str, str]]
) -> None:
    before = await _counts(runtime)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for kind, value in actions:
            answers = len(chat.request.calls)
            if kind == "text":
                await chat.send(person, value)
            else:
                await chat.send(person, "/help")
                answers = len(chat.request.calls)
                await chat.press_data(person, value)
            answered = [call for call in chat.request.calls[answers:] if call.ok]
            assert answered, (person.id, kind, value)  # everybody gets an answer
    assert not [record for record in caplog.records if "unhandled" in record.getMessage()]
    # Typing and pressing at random registers nobody, invites nobody and adds no case:
    # those need a whole wizard or an invite. (A forged press may start one, not finish it.)
    assert await _counts(runtime) == before
