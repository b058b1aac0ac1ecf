"""The local LINE over real HTTP: LINE's own SDK talks to it with only its hosts changed,
and webhook events reach a bot's endpoint, signed, until the bot takes them."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import FollowEvent, MessageEvent

from sandbox.line_server import API_DATA_PREFIX, API_PREFIX, WebhookDeliverer, build_line_app
from sandbox.lineapi import LineApi
from tests.support.line_openapi import call_errors

TOKEN = "sandbox-channel-access-token"
SECRET = "sandbox-channel-secret"


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


@pytest.fixture
async def line() -> AsyncIterator[tuple[LineApi, str]]:
    api = LineApi(TOKEN, SECRET, monthly_limit=100)
    runner, url = await serve(build_line_app(api))
    yield api, url
    await runner.cleanup()
    assert call_errors(api) == []


def client(url: str, prefix: str) -> AsyncApiClient:
    return AsyncApiClient(Configuration(host=url + prefix, access_token=TOKEN))


async def test_line_bot_sdk_works_against_the_sandbox(line: tuple[LineApi, str]) -> None:
    api, url = line
    teacher = api.add_person("ครูสมศรี")
    reply_token = api.emitted[-1]["replyToken"]
    async with client(url, API_PREFIX) as api_client, \
            client(url, API_DATA_PREFIX) as data_client:
        messaging = AsyncMessagingApi(api_client)
        assert (await messaging.get_bot_info()).user_id == api.bot_user_id
        welcome = TextMessage(text="ยินดีต้อนรับ", quick_reply=QuickReply(items=[
            QuickReplyItem(action=PostbackAction(label="ลงทะเบียน", data="w:new"))]))
        await messaging.reply_message(ReplyMessageRequest(reply_token=reply_token,
                                                          messages=[welcome]))
        with pytest.raises(ApiException) as used:
            await messaging.reply_message(ReplyMessageRequest(
                reply_token=reply_token, messages=[TextMessage(text="อีกครั้ง")]))
        assert used.value.status == 400 and "Invalid reply token" in used.value.body

        key = str(uuid.uuid4())
        notice = PushMessageRequest(to=teacher, messages=[TextMessage(text="มีงานใหม่")])
        first = await messaging.push_message_with_http_info(notice, x_line_retry_key=key)
        with pytest.raises(ApiException) as retried:
            await messaging.push_message(notice, x_line_retry_key=key)
        assert retried.value.status == 409
        assert retried.value.headers["x-line-accepted-request-id"] == first.headers[
            "x-line-request-id"]
        assert (await messaging.get_message_quota_consumption()).total_usage == 1

        sent = api.send_file(teacher, "รายชื่อ.csv", "ชื่อ\nมยา\n".encode())
        blob = AsyncMessagingApiBlob(data_client)
        content = await blob.get_message_content(sent["message"]["id"])
        assert content == "ชื่อ\nมยา\n".encode()
        # Content lives on the api-data host only: the api client cannot fetch it.
        with pytest.raises(ApiException) as wrong_host:
            await AsyncMessagingApiBlob(api_client).get_message_content(sent["message"]["id"])
        assert wrong_host.value.status == 404

    said = [entry["message"] for entry in api.transcript(teacher) if entry["from"] == "bot"]
    assert [m["text"] for m in said] == ["ยินดีต้อนรับ", "มีงานใหม่"]
    assert said[0]["quickReply"]["items"][0]["action"] == {
        "type": "postback", "label": "ลงทะเบียน", "data": "w:new"}


async def test_a_bot_that_fails_gets_every_event_again_in_order(
        line: tuple[LineApi, str]) -> None:
    api, _ = line
    parser = WebhookParser(SECRET)
    taken: list[object] = []
    posts: list[bool] = []
    both_taken = asyncio.Event()
    answers = [500, 200, 200]  # the bot fails the first post, then takes everything

    async def webhook(request: web.Request) -> web.Response:
        body = (await request.read()).decode()
        try:
            events = parser.parse(body, request.headers.get("X-Line-Signature", ""))
        except InvalidSignatureError:
            return web.Response(status=400)
        status = answers.pop(0) if answers else 200
        posts.append(events[0].delivery_context.is_redelivery)
        if status == 200:
            taken.extend(events)
        if len(taken) == 2:
            both_taken.set()
        return web.Response(status=status)

    bot = web.Application()
    bot.router.add_post("/callback", webhook)
    runner, bot_url = await serve(bot)
    deliverer = WebhookDeliverer(api, bot_url + "/callback", retry_after=0.01)
    delivering = asyncio.create_task(deliverer.run())
    try:
        teacher = api.add_person("ครูสมศรี")
        api.send_text(teacher, "สวัสดีค่ะ")
        await asyncio.wait_for(both_taken.wait(), 5)
    finally:
        delivering.cancel()
        await asyncio.gather(delivering, return_exceptions=True)
        await runner.cleanup()
    assert [type(event) for event in taken] == [FollowEvent, MessageEvent]
    assert posts == [False, True, False]  # the failed one came again, marked
    assert taken[0].webhook_event_id == api.emitted[0]["webhookEventId"]


async def test_nothing_is_lost_while_the_bot_is_down(line: tuple[LineApi, str]) -> None:
    api, _ = line
    posts = 0

    async def crashing_webhook(request: web.Request) -> web.Response:
        nonlocal posts
        posts += 1
        if posts <= 3:  # the bot dies mid-request: the connection drops without an answer
            assert request.transport is not None
            request.transport.close()
        return web.Response()

    bot = web.Application()
    bot.router.add_post("/callback", crashing_webhook)
    runner, bot_url = await serve(bot)
    deliverer = WebhookDeliverer(api, bot_url + "/callback", retry_after=0.01)
    api.add_person("ครูสมศรี")
    try:
        await deliverer.deliver_pending()
    finally:
        await runner.cleanup()
    assert posts == 4 and deliverer.failures == 3 and api.pending_webhooks() == 0
