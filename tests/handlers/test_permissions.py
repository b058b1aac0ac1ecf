"""Every role against every command and button, through the real Application.

The matrix below says who may do what. Each row runs in a fresh world (a case of the
teacher's, sent to primary service area 1, a reminder, a child on an imported list):
everyone the row does not allow must be refused, and the first role it allows must not be.
Buttons are pressed with forged callback data, as anyone could.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import imports, onboarding, reminders, users
from tests.conftest import add_user
from tests.handlers.conftest import COORDINATOR, OTHER_TEACHER, STRANGER, TEACHER, ChatHarness
from tests.support.cases import by_need, register_and_send
from tests.support.telegram_fake import FakeUser
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, read_bytes

FOCAL = FakeUser(id=2001, first_name="Malai", language_code="en")  # the referral's unit
OTHER_FOCAL = FakeUser(id=4001, first_name="Dao", language_code="en")  # another unit
DEACTIVATED = FakeUser(id=1003, first_name="Gone", language_code="en")
PEOPLE = {"stranger": STRANGER, "deactivated": DEACTIVATED, "teacher": TEACHER,
          "other_teacher": OTHER_TEACHER, "focal": FOCAL, "other_focal": OTHER_FOCAL,
          "coordinator": COORDINATOR}
# Refused: not allowed, not registered, deactivated, no such case, no longer valid.
REFUSALS = ("not allowed", "only for invited", "account has been deactivated", "There is no case",
            "no longer valid", "ไม่มีสิทธิ์", "ที่ได้รับเชิญเท่านั้น", "ถูกระงับ", "ไม่พบเคส",
            "ใช้ไม่ได้แล้ว")
ACTIVE = ("teacher", "other_teacher", "focal", "other_focal", "coordinator")

# (what is done, who may do it). {case}, {code}, {referral}, {reminder}, {lead}, {user} and
# {invite} stand for the world's objects.
MATRIX = [
    ("/new", ACTIVE),
    ("/mycases", ACTIVE),
    ("/case {code}", ("teacher", "coordinator")),
    ("/summary", ACTIVE),
    ("/inbox", ("focal", "other_focal")),
    ("/locate", ("teacher", "other_teacher")),
    ("/queue", ("coordinator",)),
    ("/reminders", ("coordinator",)),
    ("/invite", ("coordinator",)),
    ("/invites", ("coordinator",)),
    ("ivl:0", ("coordinator",)),
    ("ivx:{invite}:0:0", ("coordinator",)),
    ("ivx:{invite}:1:0", ("coordinator",)),
    ("/users", ("coordinator",)),
    ("/erase {code}", ("coordinator",)),
    ("/erase OBEC-002", ("coordinator",)),  # the list reference of {lead}
    ("rf:{referral}:accept", ("focal",)),
    ("rf:{referral}:decline", ("focal",)),
    ("rf:{referral}:show", ("focal",)),
    ("rf:{referral}:details", ()),  # not before a unit accepts
    ("rf:{referral}:withdraw", ("teacher", "coordinator")),
    ("nt:{referral}:ask", ("focal",)),
    ("nt:{referral}:answer", ()),  # there is no question to answer
    ("ca:{case}:moved", ("teacher", "coordinator")),
    ("ca:{case}:withdraw", ("teacher", "coordinator")),
    ("ca:{case}:remind", ("teacher", "coordinator")),
    ("rm:{case}:1", ("teacher", "coordinator")),
    ("sz:{reminder}:1", ("teacher", "coordinator")),
    ("lo:{lead}", ("teacher", "coordinator")),
    ("lm:{lead}:moved", ("teacher", "coordinator")),
    ("sm:province:-:fy", ("coordinator",)),
    ("rp:csv:province:-:fy", ("coordinator",)),
    ("rp:xlsx:province:-:fy", ("coordinator",)),
    ("er:case:{case}:1", ("coordinator",)),
    ("er:lead:{lead}:1", ("coordinator",)),
    ("ua:{user}:0:0:0", ("coordinator",)),
]


@pytest.fixture
async def world(runtime: Runtime, coordinator: User, teacher: User,
                other_teacher: User, tmp_path: Path) -> dict[str, object]:
    for person, unit in ((FOCAL, "spp1_samutprakan"), (OTHER_FOCAL, "dole_d1103")):
        await add_user(runtime, Role.FOCAL_POINT, unit, str(person.id), person.first_name,
                       inviter=coordinator, language="en")
    gone = await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", str(DEACTIVATED.id),
                          inviter=coordinator, language="en")
    await users.set_user_active(runtime.db, coordinator, gone.id, False, runtime.now())
    for person in (coordinator, teacher, other_teacher):
        await users.set_language(runtime.db, person, "en", runtime.now())
    education = by_need(await register_and_send(runtime, teacher, needs=("EDUCATION",)),
                        "EDUCATION").view
    reminder = await reminders.remind_me(runtime.db, teacher, education.referral.case_id,
                                         runtime.now() + timedelta(days=1), now=runtime.now())
    await imports.import_list(runtime.db, coordinator, read_bytes(
        csv_bytes(THAI_HEADER, ROWS), "list.csv", tmp_path, runtime.geography,
        runtime.today()),
        file_name="list.csv", now=runtime.now())
    invite = await onboarding.create_invite(
        runtime.db, coordinator, role=Role.TEACHER, organisation_id="school_wat_phraek_sa",
        valid_for=timedelta(days=7), now=runtime.now())
    return {"invite": invite.invite.code[:onboarding.INVITE_KEY_LENGTH],
            "case": education.referral.case_id, "code": education.case_code,
            "referral": education.referral.id, "reminder": reminder.id,
            "lead": 2,  # Mya Thida, in Mueang: Wat Phraek Sa School's to locate
            "user": teacher.id}


ANSWERS = ("sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument",
           "sendPhoto")


async def attempt(chat: ChatHarness, person: FakeUser, action: str) -> tuple[str, bool]:
    """Do it: what the person was shown (texts and pop-ups), and whether the bot answered
    at all (a message, a pop-up, an edit, a file)."""
    if not action.startswith("/"):
        await chat.send(person, "/help")  # a message of the bot's to press under
    before, alerts, calls = (len(chat.request.texts(person.id)), len(chat.alerts()),
                             len(chat.request.calls))
    if action.startswith("/"):
        await chat.send(person, action)
    else:
        await chat.press_data(person, action)
    shown = chat.request.texts(person.id)[before:] + chat.alerts()[alerts:]
    acted = bool(shown) or any(call.method in ANSWERS and call.ok
                               for call in chat.request.calls[calls:])
    return "\n".join(shown), acted


@pytest.mark.parametrize(("action", "allowed"), MATRIX, ids=[row[0] for row in MATRIX])
async def test_each_action_is_allowed_to_exactly_the_roles_the_matrix_names(
    chat: ChatHarness, world: dict[str, object], action: str, allowed: tuple[str, ...]
) -> None:
    concrete = action.format(**world)
    # The refused first, so that nothing the allowed one does changes what they meet.
    for role in [role for role in PEOPLE if role not in allowed]:
        shown, _ = await attempt(chat, PEOPLE[role], concrete)
        assert any(refusal in shown for refusal in REFUSALS), (role, concrete, shown)
    if allowed:
        role = allowed[0]
        shown, acted = await attempt(chat, PEOPLE[role], concrete)
        assert acted and not any(refusal in shown for refusal in REFUSALS), \
            (role, concrete, shown)
