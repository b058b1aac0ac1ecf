"""Summaries and their files on LINE: choices as quick replies; a workbook as a link that
works for its asker for a few minutes; a chart as an image message; nothing for those who
may not have it."""

import io
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from aiohttp.test_utils import TestClient
from linebot.v3.messaging import ImageMessage, TemplateMessage

from bot.domain.models import Role, User
from bot.flows.callback_data import ReportButton, SummaryButton
from bot.runtime import Runtime
from bot.services import downloads
from line.files import PREVIEW_BYTES, image_message
from tests.conftest import FakeClock
from tests.support.cases import register_and_send
from tests.support.line import RecordingMessaging, line_person, post, postback, quick_replies, text

TEACHER_ON_LINE = "U" + "7" * 32


@pytest.fixture
async def line_coordinator(webhook: TestClient[Any, Any], runtime: Runtime,
                           coordinator: User, teacher: User) -> User:
    for _ in range(2):
        await register_and_send(runtime, teacher)  # two cases in Mueang
    return await line_person(webhook, runtime, coordinator, Role.COORDINATOR,
                             "peo_samutprakan")


def choice(messaging: RecordingMessaging, label: str) -> str:
    return next(data for shown, data in quick_replies(messaging.replies[-1])
                if label in shown)


def the_link(messaging: RecordingMessaging) -> str:
    what, message = messaging.replies[-1].messages
    assert what.text.startswith("The summary tables")
    assert isinstance(message, TemplateMessage)
    assert len(message.template.text) <= 160 and len(message.alt_text) <= 400
    [action] = message.template.actions
    return action.uri


async def kept(runtime: Runtime) -> int:
    return await runtime.db.read.downloads.count()


async def test_a_summary_offers_periods_files_and_scopes_and_a_district_is_picked(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    await post(webhook, text("/summary"))
    assert "Children recorded: 2" in messaging.replies[-1].messages[0].text
    labels = [label for label, _ in quick_replies(messaging.replies[-1])]
    assert labels == ["• This fiscal year", "Last 30 days", "All time", "📥 Excel", "📈 Chart",
                      "📄 CSV case list", "The province", "A district…", "A unit…"]

    await post(webhook, postback(choice(messaging, "A district")))
    assert messaging.replied()[-1] == "Which district's summary?"
    await post(webhook, postback(choice(messaging, "Mueang Samut Prakan")))
    assert messaging.replies[-1].messages[0].text.startswith("📊 Summary: Mueang Samut Prakan,")

    await post(webhook, postback(choice(messaging, "A unit")))
    first = quick_replies(messaging.replies[-1])
    assert len(first) == 12  # 11 of the 17 units, and the way to the others
    await post(webhook, postback(first[-1][1]))
    second = quick_replies(messaging.replies[-1])
    assert len(second) == 7  # the other 6, and the way back
    units = {label for label, _ in first[:-1] + second[:-1]}
    assert len(units) == 17
    await post(webhook, postback(second[0][1]))
    assert messaging.replies[-1].messages[0].text.startswith("📊 Summary: ")


async def test_the_workbook_is_a_link_for_a_few_minutes_then_gone(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    clock: FakeClock, line_coordinator: User
) -> None:
    await post(webhook, text("/summary"))
    await post(webhook, postback(choice(messaging, "Excel")))
    link = the_link(messaging)
    assert link.startswith("https://panong.example.org/line/files/")
    path = urlsplit(link).path
    assert len(path.rsplit("/", 1)[1]) >= 22  # 128 bits or more, base64

    got = await webhook.get(path)
    assert got.status == 200
    assert got.headers["Cache-Control"] == "no-store"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(await got.read()), read_only=True)
    children = {row[0]: row[1] for row in workbook["Children"].iter_rows(min_row=4,
                                                                          values_only=True)}
    assert children["Total"] == 2
    assert len(list(workbook["Cases"].iter_rows(min_row=2, values_only=True))) == 2

    assert (await webhook.get(path[:-2] + "xx")).status == 404  # another token
    clock.advance(minutes=16)
    expired = await webhook.get(path)
    assert expired.status == 404 and await expired.text() == ""
    assert await kept(runtime) == 0  # the bytes are gone from the database
    entries = await runtime.db.read.audit.for_entity("download", 1)
    assert [entry.action for entry in entries] == ["download.offered", "download.fetched"]
    assert all(path.rsplit("/", 1)[1] not in str(entry) for entry in entries)


async def test_a_teacher_cannot_have_what_a_coordinator_can_even_with_forged_data(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    coordinator: User, line_coordinator: User
) -> None:
    await line_person(webhook, runtime, coordinator, Role.TEACHER, "school_wat_phraek_sa",
                      person=TEACHER_ON_LINE)
    await post(webhook, text("/summary", user=TEACHER_ON_LINE))
    labels = [label for label, _ in quick_replies(messaging.replies[-1])]
    assert "📄 CSV case list" not in labels and "A district…" not in labels

    for forged in (ReportButton(kind="csv", scope="province", key="-", period="fy"),
                   ReportButton(kind="xlsx", scope="province", key="-", period="fy"),
                   SummaryButton(scope="pick-unit", key="-", period="fy"),
                   SummaryButton(scope="district", key="1101", period="fy")):
        await post(webhook, postback(forged.pack(), user=TEACHER_ON_LINE))
        assert messaging.replied()[-1] == "You are not allowed to do that."
    await post(webhook, postback("rp:xlsx:nowhere:-:fy", user=TEACHER_ON_LINE))
    assert await kept(runtime) == 0


async def test_a_chart_is_an_image_message_at_an_https_link(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    await post(webhook, text("/chart"))
    title, image = messaging.replies[-1].messages
    assert "Summary" in title.text
    assert isinstance(image, ImageMessage)
    assert image.original_content_url.startswith("https://panong.example.org/line/files/")
    assert image.preview_image_url.startswith("https://")
    got = await webhook.get(urlsplit(image.original_content_url).path)
    assert got.status == 200 and (await got.read()).startswith(b"\x89PNG")
    assert got.headers["Content-Type"] == "image/png"


async def test_without_a_public_address_the_coordinator_is_told_and_nothing_is_made(
    webhook: TestClient[Any, Any], runtime: Runtime, messaging: RecordingMessaging,
    line_coordinator: User
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"line_public_url": None})
    await post(webhook, text("/export"))
    assert "PANONG_LINE_PUBLIC_URL" in messaging.replied()[-1]
    assert await kept(runtime) == 0
    assert await runtime.db.read.audit.for_entity("report", "province") == []


async def test_a_picture_over_a_megabyte_gets_a_smaller_preview(
    runtime: Runtime, coordinator: User
) -> None:
    from PIL import Image

    picture = Image.effect_noise((900, 900), 100).convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    assert len(out.getvalue()) > PREVIEW_BYTES
    image = await image_message(runtime, coordinator, out.getvalue(), file_name="chart.png")
    assert image.preview_image_url != image.original_content_url
    preview = await downloads.fetch(runtime.db, image.preview_image_url.rsplit("/", 1)[1],
                                    now=runtime.now())
    assert preview is not None and len(preview.content) <= PREVIEW_BYTES
