"""/erase through the real Application: a coordinator confirms before anything goes."""

from pathlib import Path

from bot.domain.models import User
from bot.runtime import Runtime
from bot.services import imports, users
from tests.handlers.conftest import COORDINATOR, ChatHarness
from tests.support.cases import register_and_send
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes, read_bytes


async def test_a_coordinator_erases_from_chat_after_confirming(
    chat: ChatHarness, runtime: Runtime, teacher: User, coordinator: User
) -> None:
    await users.set_language(runtime.db, coordinator, "en", runtime.now())
    changes = await register_and_send(runtime, teacher)
    code = changes[0].view.case_code
    assert "There is no case or imported-list reference SPK-2568-09999" in await chat.send(
        COORDINATOR, "/erase SPK-2568-09999")
    await chat.send(COORDINATOR, f"/erase {code}")
    assert await chat.press(COORDINATOR, "Keep") == "Nothing was changed."
    assert (await runtime.db.read.cases.child(1)).given_name != "—"
    await chat.send(COORDINATOR, f"/erase {code}")
    assert f"Erased: the personal data of {code}" in await chat.press(COORDINATOR, "Erase")
    assert (await runtime.db.read.cases.child(1)).given_name == "—"


async def test_a_child_only_on_an_imported_list_is_erased_by_the_lists_reference(
    chat: ChatHarness, runtime: Runtime, coordinator: User, tmp_path: Path
) -> None:
    await users.set_language(runtime.db, coordinator, "en", runtime.now())
    await imports.import_list(runtime.db, coordinator, read_bytes(
        csv_bytes(THAI_HEADER, ROWS), "list.csv", tmp_path, runtime.geography, runtime.today()),
        file_name="list.csv", now=runtime.now())

    asked = await chat.send(COORDINATOR, "/erase OBEC-001")
    assert "imported list with the reference OBEC-001" in asked
    assert await chat.press(COORDINATOR, "Erase") == (
        "Erased: the personal data of the list reference OBEC-001 (1 imported-list rows)."
        " The child stays in the figures.")
    lead = await runtime.db.read.leads.by_ref("OBEC-001")
    assert lead is not None
    assert (lead.given_name, lead.identity_number, lead.guardian_phone) == ("—", None, None)
    assert (await runtime.db.read.leads.by_ref("OBEC-002")).given_name == "Mya"
