"""LINE's webhook events as flow calls, answered with LINE's widgets.

Every answer to a person's own message or button goes as a reply (free; LINE's reply
token is single use and short-lived); only what the outbox owes is pushed. One chat's
events are handled in order, one at a time (`line.inbox`).

Joining (`/start CODE`, which an invite's LINE link fills in) and linking to a Telegram
account (`/start link-...`) come first, for they are what a stranger may do. The rest of a
person's events go through one table of routes (`line.turn.Routes`) that each flow module
declares: its commands, its postbacks, and the flow that takes their typed text while they
are in it (`line.conversation`). Commands work in the middle of a flow, as on Telegram;
/cancel goes to the flow under way. A rich menu's button (`line.richmenu`) is its command,
as if typed. Groups: a focal point links the unit's group with
/linkgroup (its referrals then go there), /unlinkgroup or the bot leaving ends it.
"""

import logging

from linebot.v3.messaging import (
    ApiException,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Message,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import (
    Event,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    LeaveEvent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from bot.errors import AppError, StaleAction
from bot.flows.callback_data import MenuButton, SnoozeButton
from bot.flows.session import Session, begin
from bot.i18n import Translator, pick_language, translator
from bot.runtime import Runtime
from bot.services import linking, onboarding, referrals, reminders
from line import CHANNEL, basics, cases, notes, plan, richmenu, wizard
from line import admin as line_admin
from line import imports as line_imports
from line import referrals as line_referrals
from line import reminders as line_reminders
from line import reports as line_reports
from line.conversation import Doing, recall
from line.owed import owed_message
from line.render import text_message
from line.turn import Answer, Turn, joined

log = logging.getLogger(__name__)

# What a person may do in their private chat with the bot, flow by flow.
ROUTES = joined(basics.ROUTES, line_referrals.ROUTES, wizard.ROUTES, plan.ROUTES, cases.ROUTES,
                notes.ROUTES, line_reminders.ROUTES, line_admin.ROUTES, line_reports.ROUTES,
                line_imports.ROUTES)

# What a LINE profile cannot tell (the person hid it): how the bot calls them.
NAMELESS = "LINE"
# Messages in one reply.
REPLY_LIMIT = 5


class LineAdapter:
    """Handles one event at a time; `line.inbox` gives it each chat's events in order, one
    at a time."""

    def __init__(self, runtime: Runtime, messaging: AsyncMessagingApi,
                 blob: AsyncMessagingApiBlob | None = None) -> None:
        self.runtime = runtime
        self.messaging = messaging
        self.blob = blob  # the api-data host: files people send

    async def handle(self, event: Event) -> None:
        source = event.source
        if isinstance(source, GroupSource):
            await self._group(event, source)
            return
        if not isinstance(source, UserSource) or source.user_id is None:
            return  # a multi-person chat (a "room"): nothing there is ours
        await self._person(event, source.user_id)

    async def _group(self, event: Event, source: GroupSource) -> None:
        """A unit's group: it receives the unit's referrals (and reminders of them) once a
        focal point sends /linkgroup there; /unlinkgroup, or the bot leaving, ends that.
        Presses on those and the two commands are the bot's; nothing else said there is."""
        runtime, group_id = self.runtime, source.group_id
        if isinstance(event, LeaveEvent):
            await referrals.unit_chat_lost(runtime.db, channel=CHANNEL, chat_id=group_id,
                                           now=runtime.now())
            return
        words = event.message.text.strip() if isinstance(event, MessageEvent) \
            and isinstance(event.message, TextMessageContent) else ""
        data = event.postback.data if isinstance(event, PostbackEvent) else ""
        snoozed = SnoozeButton.unpack(data) is not None  # a unit's reminder, put off
        ours = words in ("/linkgroup", "/unlinkgroup") or snoozed \
            or line_referrals.is_referral_press(data)
        if not ours or source.user_id is None:
            return
        session = await begin(runtime, channel=CHANNEL, channel_user_id=source.user_id,
                              language_code=None, joining=False)
        t = translator(session.language)
        try:
            if session.refusal is not None:
                answer = t(session.refusal)
            elif snoozed:
                assert session.actor is not None
                await self._reply(event.reply_token, await line_reminders.snooze(Turn(
                    runtime=runtime, messaging=self.messaging, actor=session.actor, t=t,
                    user_id=source.user_id, event=event, doing=Doing(), blob=self.blob)),
                    group_id)
                return
            elif data:
                await self._reply(event.reply_token, await line_referrals.press(
                    runtime, self.messaging, session.actor, data, t, person=source.user_id,
                    in_group=True), group_id)
                return
            elif words == "/linkgroup":
                unit = await referrals.link_group(
                    runtime.db, session.actor, channel=CHANNEL, chat_id=group_id,
                    title=await self._group_name(group_id), language=t.lang,
                    now=runtime.now())
                answer = t("linkgroup-done", unit=unit.name(t.lang))
            else:
                unit = await referrals.unlink_group(runtime.db, session.actor, channel=CHANNEL,
                                                    chat_id=group_id, now=runtime.now())
                answer = t("unlinkgroup-done", unit=unit.name(t.lang))
        except AppError as error:
            answer = t(error.key, **error.params)
        await self._reply(event.reply_token, [text_message(answer)], group_id)

    async def _group_name(self, group_id: str) -> str:
        try:
            return (await self.messaging.get_group_summary(group_id)).group_name or ""
        except ApiException:
            return ""

    async def _person(self, event: Event, user_id: str) -> None:
        runtime = self.runtime
        if isinstance(event, UnfollowEvent):
            await reminders.blocked_the_bot(runtime.db, CHANNEL, user_id, now=runtime.now())
            return
        text = event.message.text.strip() if isinstance(event, MessageEvent) \
            and isinstance(event.message, TextMessageContent) else None
        command, _, argument = (text or "").partition(" ")
        session = await begin(runtime, channel=CHANNEL, channel_user_id=user_id,
                              language_code=None,
                              joining=command == "/start" and bool(argument.strip()))
        reply_token = getattr(event, "reply_token", None)
        if reply_token is None:
            return
        t = translator(session.language)
        try:
            answer = await self._answer(event, session, t, user_id, command, argument.strip())
        except AppError as error:
            answer = [text_message(t(error.key, **error.params))]
        await self._reply(reply_token, answer, user_id)

    async def _answer(self, event: Event, session: Session, t: Translator, user_id: str,
                      command: str, argument: str) -> Answer:
        if session.refusal is not None:
            return [text_message(t(session.refusal))]
        if command == "/start" and argument:
            if linking.is_link_code(argument):
                return [await self._link(user_id, argument, t)]
            return [await self._join(user_id, argument, t)]
        assert session.actor is not None
        turn = Turn(runtime=self.runtime, messaging=self.messaging, actor=session.actor, t=t,
                    user_id=user_id, event=event,
                    doing=await recall(self.runtime.db, user_id), blob=self.blob)
        if isinstance(event, FollowEvent):
            return await basics.welcome(turn)
        pressed = MenuButton.unpack(turn.postback)
        if pressed is not None:  # a rich menu's button: its command, as if typed
            command = pressed.command
        flow = ROUTES.flows.get(turn.doing.flow or "")
        if command == "/cancel" and flow is not None:
            return await flow(turn)  # the flow under way ends itself
        if command in ROUTES.commands:
            return await ROUTES.commands[command](turn)
        if turn.postback is not None and pressed is None:
            for postback in ROUTES.postbacks:
                if postback.matches(turn.postback):
                    return await postback.handle(turn)
            raise StaleAction()  # an old button, or data the bot never made
        if flow is not None and not command.startswith("/"):
            return await flow(turn)
        if isinstance(event, MessageEvent) and isinstance(event.message, FileMessageContent):
            return await line_imports.receive_list(turn)  # a list to import, as on Telegram
        return [text_message(t("not-understood"))]

    async def _join(self, user_id: str, code: str, t: Translator) -> TextMessage:
        runtime = self.runtime
        name, language = await self._profile(user_id)
        # Remembered, so that notices sent outside this chat's events read the same.
        t = translator(pick_language(None, language, t.lang))
        joined = await onboarding.redeem_invite(
            runtime.db, code=code[:64], channel=CHANNEL, channel_user_id=user_id,
            display_name=name, language=t.lang, now=runtime.now())
        await richmenu.link(runtime, self.messaging, user_id, joined.user)
        role = joined.user.role
        return text_message(t("start-joined", role=t(f"role-{role}"),
                              organisation=joined.organisation.name(t.lang))
                            + "\n\n" + t(f"help-{role}"))

    async def _link(self, user_id: str, code: str, t: Translator) -> TextMessage:
        runtime = self.runtime
        linked = await linking.link(runtime.db, code=code[:64], channel=CHANNEL,
                                    channel_user_id=user_id, now=runtime.now())
        await richmenu.link(runtime, self.messaging, user_id, linked.user)
        return text_message(t("link-done", role=t(f"role-{linked.user.role}"),
                              organisation=linked.organisation.name(t.lang)))

    async def _profile(self, user_id: str) -> tuple[str, str | None]:
        """How the person calls themselves on LINE, and the language their LINE uses."""
        try:
            profile = await self.messaging.get_profile(user_id)
        except ApiException:
            return NAMELESS, None
        return profile.display_name or NAMELESS, getattr(profile, "language", None)

    async def _reply(self, reply_token: str, answer: list[Message],
                     user_id: str) -> None:
        """The answer and, free, what the person is owed (a reply carries five messages;
        what does not fit is pushed as usual). What is owed follows the answer, as it
        happened after it, unless the answer asks something with quick replies: LINE
        shows those under the chat's last message only, so then the answer goes last."""
        outbox = self.runtime.outbox
        owed = await outbox.take_for_reply(CHANNEL, user_id, REPLY_LIMIT - len(answer))
        extra = [message for _, outgoing in owed
                 if (message := owed_message(outgoing, self.runtime)) is not None]
        try:
            await self.messaging.reply_message(ReplyMessageRequest(
                reply_token=reply_token,
                messages=extra + answer if answer[-1].quick_reply else answer + extra))
        except (ApiException, OSError) as error:
            # The answer is lost (the token expired, LINE did not answer), not what it
            # answered: the change is committed. The reminders job owes them word of it.
            log.warning("a LINE reply was not delivered: %s", getattr(error, "status", error))
            await outbox.replied(owed, delivered=False)
            await reminders.undelivered(self.runtime.db, CHANNEL, user_id,
                                        now=self.runtime.now())
            return
        await outbox.replied(owed, delivered=True)
