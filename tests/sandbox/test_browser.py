"""The web chat in a real browser: headless Chromium (Debian's `chromium`), driven by
Playwright. A teacher registers a child by typing and clicking in her phone pane, exactly as a
trainer would show it; a unit's focal point accepts the referral with a click in theirs. On
the LINE phones page, a teacher registers a child by taps.

Screenshots of the panes go to $PANONG_SCREENSHOT_DIR when it is set (`make screenshots`
writes the ones in docs/), and to the test's temporary folder otherwise.
"""

import os
import shutil
from collections.abc import Awaitable
from pathlib import Path

import pytest

from bot.domain.models import Role
from line.wizard import PICKED
from sandbox.run import Sandbox
from tests.support.journeys import answer_from_nationality, answer_up_to_identity
from tests.support.line_phones import LinePhones
from tests.support.webchat import WebChat, WebPerson

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="SKIPPED THE BROWSER TEST: Chromium is not installed (Debian package `chromium`; "
    "`.ci/run` installs it)",
)
# Chromium on a machine with no route out: no sandboxing as root in CI, no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
MALEE = WebPerson(100004, "Malee")  # the English-speaking demo teacher
NAPA = WebPerson(100009, "นภา (สพป.2)")  # the demo focal point of Primary ESA 2, in Thai


class BrowserChat:
    """One person's phone pane in the page; the `Chat` of `tests/support/journeys.py`.

    The page and the test's own `WebChat` read the same feed: after each click the test waits
    for the bot's answer on the feed, then for the page to show it.
    """

    def __init__(self, page: object, web: WebChat) -> None:
        self.page = page
        self.web = web

    def pane(self, user: WebPerson):  # -> playwright Locator
        return self.page.locator(f'section.pane[data-person-id="{user.id}"]')

    async def send(self, user: WebPerson, text: str) -> str:
        pane = self.pane(user)
        await pane.locator(".composer-input").fill(text)
        return await self._after(user, pane.locator(".send-button").click())

    async def press(self, user: WebPerson, label: str) -> str:
        keyboard = self.pane(user).locator(".message:has(.inline-button)").last
        button = keyboard.locator(".inline-button", has_text=label)
        return await self._after(user, button.click())

    async def share_location(self, user: WebPerson, latitude: float, longitude: float) -> str:
        pane = self.pane(user)
        await pane.locator(".location-button").click()
        await pane.locator(".lat-input").fill(str(latitude))
        await pane.locator(".lon-input").fill(str(longitude))
        return await self._after(user, pane.locator(".send-location").click())

    async def _after(self, user: WebPerson, action: object) -> str:
        from playwright.async_api import expect

        await self.web.catch_up()
        since = self.web.seq
        await action
        text = await self.web.wait_for_answer(user, since)
        newest = self.web.activity[user.id][-1]
        shown = self.pane(user).locator(f'.message[data-message-id="{newest}"] .text')
        await expect(shown).to_contain_text(text.splitlines()[0][:40])
        return text


@pytest.fixture
async def page(sandbox: Sandbox):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1880, "height": 900})
            await page.goto(sandbox.url)
            yield page
        finally:
            await browser.close()


def screenshot_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("PANONG_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


async def test_a_teacher_registers_a_child_in_the_web_chat(
    page: object, web: WebChat, sandbox: Sandbox, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    phone = BrowserChat(page, web)
    await page.locator(f'li.person[data-person-id="{MALEE.id}"]').click()
    await expect(phone.pane(MALEE)).to_contain_text("You joined as Teacher")

    await answer_up_to_identity(phone, MALEE)
    await phone.press(MALEE, "No document")
    summary = await answer_from_nationality(phone, MALEE)
    assert "Mya Thida" in summary
    pane = phone.pane(MALEE)
    await expect(pane.locator(".inline-button", has_text="Confirm")).to_be_visible()
    await pane.screenshot(path=screenshot_dir(tmp_path) / "sandbox-registration.png")

    done = await phone.press(MALEE, "Confirm")
    assert "SPK-2568-00001" in done
    assert sandbox.runtime is not None
    case = await sandbox.runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.district_code == "1103"
    await page.screenshot(path=screenshot_dir(tmp_path) / "sandbox-desk.png")


async def test_a_focal_point_accepts_a_referral_in_the_web_chat(
    page: object, web: WebChat, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    phone = BrowserChat(page, web)
    for person in (MALEE, NAPA):
        await page.locator(f'li.person[data-person-id="{person.id}"]').click()
    await expect(phone.pane(NAPA)).to_contain_text("ผู้ประสานงานหน่วยงาน")  # her welcome
    # The registration itself is clicked through above; here it goes through the page's API.
    await answer_up_to_identity(web, MALEE)
    await web.press(MALEE, "No document")
    await answer_from_nationality(web, MALEE)
    await web.press(MALEE, "Confirm")
    await phone.press(MALEE, "Send")

    pane = phone.pane(NAPA)
    referral = pane.locator(f'.message[data-message-id="{web.activity[NAPA.id][-1]}"]')
    await expect(referral).to_contain_text("ส่งต่อ: ด้านการศึกษา · SPK-2568-00001")
    await expect(referral).to_contain_text("สถานะ: รอหน่วยงานตอบ")  # waiting for the unit
    await expect(pane).not_to_contain_text("Thida")

    details = await phone.press(NAPA, "รับเรื่อง")  # Accept

    assert "Mya Thida" in details
    await expect(referral).to_contain_text("สถานะ: นภา (สพป.2) รับเรื่องแล้ว")  # accepted by
    await expect(referral).to_contain_text("edited")
    await expect(referral.locator(".inline-button")).to_have_text(
        ["เริ่มดำเนินการแล้ว", "บันทึกผล", "🔒 ข้อมูลเด็ก"])  # Work started, Outcome, Details
    newest = pane.locator(".message").last
    await expect(newest).to_contain_text("🔒 สำหรับหน่วยงานของคุณเท่านั้น ห้ามส่งต่อ")
    await expect(newest).to_contain_text("Mya Thida")
    await expect(phone.pane(MALEE)).to_contain_text(
        "✅ Primary ESA 2 accepted SPK-2568-00001 · Education")
    toast = pane.locator(".toast")  # the answer to her press, over the chat for a few seconds
    await expect(toast).to_have_text("คุณรับเรื่องนี้แล้ว ข้อมูลเด็กอยู่ในแชตส่วนตัวของคุณ")
    await expect(toast).to_have_count(0, timeout=10_000)  # gone: it hid the referral
    # The accepted referral on top, the start of the details below it.
    await referral.evaluate("node => node.scrollIntoView({block: 'start'})")
    await pane.screenshot(path=screenshot_dir(tmp_path) / "sandbox-referral.png")


# -- LINE ----------------------------------------------------------------------------------


async def test_a_teacher_registers_a_child_by_taps_in_the_line_phone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The LINE phones page (/line): she types in the composer, taps quick replies, picks
    the birth date in the date picker, shares a place, and confirms on the summary card."""
    from playwright.async_api import async_playwright, expect

    assert sandbox.runtime is not None
    phones = LinePhones(sandbox.line)
    teacher = await phones.join(sandbox.runtime, "Kru Malee", Role.TEACHER,
                                "school_wat_phraek_sa", language="en")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 1000})
            await page.goto(sandbox.url + "/line")
            await page.locator(f'#people li[data-user-id="{teacher}"]').click()
            phone = page.locator(f'section.phone[data-user-id="{teacher}"]')

            async def answered(act: Awaitable[None]) -> None:
                """After a tap, the bot's answer in the transcript, then on the page."""
                before = len(phones.bot_messages(teacher))
                await act
                await phones.until(lambda: len(phones.bot_messages(teacher)) > before)
                await expect(phone.locator(".messages > *")).to_have_count(
                    len(sandbox.line.transcript(teacher)))

            async def typed(words: str) -> None:
                await phone.locator(".composer .text").fill(words)
                await answered(phone.locator(".composer .send").click())

            async def tap(value: str) -> None:
                label = phones.wizard_actions(teacher)[value]["label"]
                await answered(phone.locator(".chip, .flex-button").get_by_text(
                    label, exact=True).click())

            async def pick(value: str, day: str) -> None:
                label = phones.wizard_actions(teacher)[value]["label"]
                await phone.locator(".chip").get_by_text(label, exact=True).click()
                await phone.locator(".picker input").fill(day)
                await answered(phone.locator(".picker-ok").click())

            async def share(place: str) -> None:
                await phone.locator(".composer .icon[title='Share a location']").click()
                await answered(phone.locator(".places button", has_text=place).click())

            await typed("/new")
            await typed("Somchai")
            for value in ("_skip", "_skip", "male", "none", "thai"):
                await tap(value)
            await pick(PICKED, "2014-03-15")
            for value in ("1101", "_page1", "unknown"):
                await tap(value)
            await typed("Soi 5")
            await share("Mueang Samut Prakan")
            for value in ("yes", "LOW_INCOME", "_skip", "_skip", "given", "EDUCATION", "done",
                          "school"):
                await tap(value)
            card = phone.locator(".flex-bubble").last
            await expect(card).to_contain_text("Somchai")
            await card.scroll_into_view_if_needed()
            await phone.screenshot(path=screenshot_dir(tmp_path) / "sandbox-line-summary.png")

            await tap("confirm")
            await expect(phone.locator(".messages")).to_contain_text("SPK-2568-00001")
            await phone.screenshot(path=screenshot_dir(tmp_path) / "sandbox-line-plan.png")
        finally:
            await browser.close()
    case = await sandbox.runtime.db.read.cases.by_code("SPK-2568-00001")
    assert case is not None and case.district_code == "1101"
    assert sandbox.line.pushes_this_month() == 0
