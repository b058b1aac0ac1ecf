"""Lists sent as LINE files: fetched from the api-data host, read apart as on Telegram,
the leads saved and the rejected rows handed back as a link; /locate on LINE."""

import csv
import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient
from linebot.v3.messaging import TemplateMessage

from bot.domain.models import Role, User
from bot.flows.callback_data import LeadMarkButton
from bot.flows.imports import MAX_BYTES
from bot.runtime import Runtime
from tests.support.line import RecordingMessaging, line_person, post, postback, quick_replies, text
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes

TEACHER_ON_LINE = "U" + "7" * 32


@pytest.fixture
async def line_coordinator(webhook: TestClient[Any, Any], runtime: Runtime,
                           coordinator: User) -> User:
    return await line_person(webhook, runtime, coordinator, Role.COORDINATOR,
                             "peo_samutprakan")


async def test_a_csv_sent_as_a_line_file_creates_leads_and_the_rejected_rows_come_as_a_link(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, line_coordinator: User
) -> None:
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "school_wat_phraek_sa",
                      person=TEACHER_ON_LINE)
    await post(webhook, messaging.sent("obec.csv", csv_bytes(THAI_HEADER, ROWS)))

    report, what, rejected = messaging.replies[-1].messages
    assert "List imported: 8 rows." in report.text
    assert "Added: 2 · already known: 0 · rejected: 6" in report.text
    schools = {lead.ref: lead.school_id for lead in [await runtime.db.read.leads.get(n)
                                                     for n in (1, 2)] if lead}
    assert schools == {"OBEC-001": "school_wat_bang_chalong_nai",
                       "OBEC-002": "school_wat_phraek_sa"}
    assert what.text.startswith("The rejected rows, each with its reason.")
    assert isinstance(rejected, TemplateMessage)
    got = await webhook.get(urlsplit(rejected.template.actions[0].uri).path)
    assert got.status == 200
    rows = list(csv.reader(io.StringIO((await got.read()).decode("utf-8-sig"))))
    assert rows[0] == ["Line", "Reference", "Reason"]
    assert ["5", "OBEC-004", "The sex is missing or not understood (male/female, ชาย/หญิง)."] \
        in rows

    # The school's teacher on LINE is told (pushed), and finds the child with /locate.
    await runtime.outbox.drain()
    [(told, _)] = [push for push in messaging.pushes if push[0].to == TEACHER_ON_LINE]
    assert "1 child from an imported list" in told.messages[0].text
    await post(webhook, text("/locate", user=TEACHER_ON_LINE))
    listing = messaging.replied()[-1]
    assert "Mya Thida" in listing and "สมชาย" not in listing
    [(label, data)] = quick_replies(messaging.replies[-1])
    assert label == "Mya Thida"
    await post(webhook, postback(data, user=TEACHER_ON_LINE))
    assert "Did you find the child?" in messaging.replied()[-1]
    marks = dict(quick_replies(messaging.replies[-1]))
    await post(webhook, postback(marks["✖ Not found (701)"], user=TEACHER_ON_LINE))
    assert messaging.replied()[-1] == "Not found: Mya Thida (code 701)."
    lead = await runtime.db.read.leads.get(2)
    assert lead is not None and (lead.status, lead.result_code) == ("not_found", "701")


async def test_only_coordinators_import_and_a_file_too_large_is_not_even_fetched(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, line_coordinator: User
) -> None:
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "school_wat_phraek_sa",
                      person=TEACHER_ON_LINE)
    await post(webhook, messaging.sent("list.csv", csv_bytes(THAI_HEADER, ROWS),
                                       user=TEACHER_ON_LINE))
    assert "Only coordinators can import lists" in messaging.replied()[-1]

    huge = messaging.sent("huge.csv", b"x")
    huge["message"]["fileSize"] = MAX_BYTES + 1
    await post(webhook, huge)
    assert "larger than 20 MB" in messaging.replied()[-1]

    await post(webhook, messaging.sent("photo.png", b"\x89PNG\r\n\x1a\n"))
    assert "not a CSV or XLSX" in messaging.replied()[-1]

    assert messaging.fetched == ["102"]  # only the coordinator's small file
    assert await runtime.db.read.leads.get(1) is None


async def test_a_forged_mark_changes_nothing(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, line_coordinator: User
) -> None:
    await post(webhook, messaging.sent("obec.csv", csv_bytes(THAI_HEADER, ROWS)))
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "dole_d1103",
                      person=TEACHER_ON_LINE)  # not the child's school
    await post(webhook, postback(LeadMarkButton(lead_id=2, result="found").pack(),
                                 user=TEACHER_ON_LINE))
    await post(webhook, postback("lm:2:vanished", user=TEACHER_ON_LINE))
    lead = await runtime.db.read.leads.get(2)
    assert lead is not None and lead.status == "to_locate"
