"""Telegram failing under the bot: a 429, 5xx answers, timeouts and dropped connections are
injected in the request layer, on ordinary replies.

Passing failures are retried and nothing shows; failures that outlast the retries lose no
data the user confirmed, and the user is told, once Telegram is back, that a message of
the bot did not reach them.
"""

from http import HTTPStatus

from telegram.error import NetworkError, TimedOut

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import reminders
from bot.services.delivery import FIRST_RETRY
from tests.conftest import FakeClock
from tests.handlers.conftest import TEACHER, ChatHarness
from tests.support.journeys import answer_from_nationality, answer_up_to_identity

CODE = "SPK-2568-00001"


async def _up_to_confirm(chat: ChatHarness) -> None:
    await answer_up_to_identity(chat, TEACHER)
    await chat.press(TEACHER, "No document")
    await answer_from_nationality(chat, TEACHER)


async def owe_word(runtime: Runtime) -> None:
    """The reminders job's word to those whose answers did not get through."""
    settings = runtime.settings
    await reminders.owe_word_of_undelivered(
        runtime.db, limit=10, tz=settings.tz, default_language=settings.default_language,
        now=runtime.now())


async def _cases(runtime: Runtime) -> int:
    rows = await runtime.db.read.conn.execute_fetchall("SELECT count(*) FROM cases")
    return rows[0][0]


async def test_passing_failures_are_retried_and_the_user_sees_nothing_of_them(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await _up_to_confirm(chat)
    request = chat.request
    request.fail_next("answerCallbackQuery", HTTPStatus.TOO_MANY_REQUESTS, retry_after=1)
    request.fail_next("editMessageText", HTTPStatus.BAD_GATEWAY)
    request.raise_next("editMessageText", TimedOut())
    request.raise_next("editMessageText", NetworkError("httpx.ReadError: connection reset"))
    edits_before = len(request.calls_to("editMessageText"))

    assert CODE in await chat.press(TEACHER, "Confirm")

    assert len(request.calls_to("editMessageText")) - edits_before == 4  # 3 failed, 1 took
    assert [call.status for call in request.calls_to("answerCallbackQuery")[-2:]] == [429, 200]
    assert await _cases(runtime) == 1
    assert not any("something went wrong" in text for text in request.texts(TEACHER.id))
    assert (await runtime.db.read.users.get(teacher.id)).undelivered_since is None


async def test_when_telegram_stays_down_the_case_is_kept_and_the_user_is_told_later(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    await _up_to_confirm(chat)
    retries = runtime.settings.telegram_retries
    for _ in range(retries + 1):
        chat.request.fail_next("answerCallbackQuery", HTTPStatus.SERVICE_UNAVAILABLE)
    texts_before = len(chat.request.texts(TEACHER.id))

    await chat.press(TEACHER, "Confirm")

    # The case is saved; nothing reached the teacher, and nothing false was said.
    assert await _cases(runtime) == 1
    assert len(chat.request.texts(TEACHER.id)) == texts_before
    flagged = await runtime.db.read.users.get(teacher.id)
    assert flagged.undelivered_since == runtime.now()

    # Telegram is back: the next wake-up of the reminders job owes them word, once.
    await owe_word(runtime)
    await chat.deliver()
    told = chat.request.texts(TEACHER.id)[texts_before:]
    assert len(told) == 1 and "did not take some of my messages" in told[0]
    assert "Nothing you had confirmed was lost" in told[0]
    await owe_word(runtime)
    await chat.deliver()
    assert len(chat.request.texts(TEACHER.id)) == texts_before + 1

    # The wizard ended with the save: the Confirm button they still see saves nothing
    # more, and their cases show the one saved.
    await chat.press(TEACHER, "Confirm")
    assert "no longer valid" in chat.alerts()[-1]
    assert await _cases(runtime) == 1
    assert CODE in await chat.send(TEACHER, "/mycases")


async def test_while_telegram_is_still_down_the_word_waits_in_the_outbox(
    chat: ChatHarness, runtime: Runtime, teacher: User, clock: FakeClock
) -> None:
    await _up_to_confirm(chat)
    for _ in range(runtime.settings.telegram_retries + 1):
        chat.request.raise_next("answerCallbackQuery", TimedOut())
    await chat.press(TEACHER, "Confirm")
    for _ in range(runtime.settings.telegram_retries + 1):
        chat.request.fail_next("sendMessage", HTTPStatus.BAD_GATEWAY)

    await owe_word(runtime)
    await chat.deliver()

    assert "did not take" not in chat.last_text(TEACHER)  # owed: the outbox tries again
    clock.advance(seconds=FIRST_RETRY.total_seconds())
    await chat.deliver()
    assert "did not take some of my messages" in chat.last_text(TEACHER)


async def test_a_message_taken_before_its_answer_was_lost_arrives_twice_not_never(
    chat: ChatHarness, runtime: Runtime, teacher: User
) -> None:
    """The documented at-least-once window: Telegram sent the message, the answer was lost
    (a timeout), so the retry sends it again."""
    await chat.deliver()  # the coordinator's notice that the teacher joined
    chat.request.raise_next("sendMessage", TimedOut(), taken=True)

    await chat.send(TEACHER, "/help")

    helps = [text for text in chat.request.texts(TEACHER.id) if "/new" in text]
    assert len(helps) == 2 and helps[0] == helps[1]
