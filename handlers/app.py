"""The composition root: builds the Application and registers every handler, in one place."""

import asyncio
import gc
import logging
import sys
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.flows.callback_data import (
    AttendanceButton,
    CaseActionButton,
    CasesPageButton,
    DestinationButton,
    DestinationListButton,
    EraseButton,
    InboxPageButton,
    InviteOrganisationButton,
    InvitePageButton,
    InviteRevokeButton,
    InviteRoleButton,
    InvitesPageButton,
    LanguageButton,
    LeadMarkButton,
    LeadOpenButton,
    LeadPageButton,
    MoveDistrictButton,
    MovePlanButton,
    NoteButton,
    OpenCaseButton,
    PlanButton,
    QueuePageButton,
    ReferralButton,
    ReferralChoiceButton,
    RemindMeButton,
    ReportButton,
    SnoozeButton,
    SummaryButton,
    UserActiveButton,
    UsersPageButton,
    WizardButton,
)
from bot.runtime import Runtime
from handlers import (
    admin,
    cases,
    drafts,
    erasure,
    imports,
    notes,
    referrals,
    registration,
    reminders,
    reports,
    start,
    summaries,
)
from handlers.commands import register_default_commands
from handlers.context import CHANNEL, RUNTIME_KEY, PanongContext, identify_user
from handlers.errors import on_error
from handlers.outbox import TelegramSender
from handlers.persistence import SQLitePersistence
from handlers.processor import PerChatUpdateProcessor
from handlers.retries import RetryingRateLimiter
from handlers.webhook import add_telegram_route, handle_stored
from storage.bot_state import BOT_USERNAME

log = logging.getLogger(__name__)

# Only new messages are answers: an edited message is not a second answer.
NEW_MESSAGES = filters.UpdateType.MESSAGE
PRIVATE_MESSAGES = NEW_MESSAGES & filters.ChatType.PRIVATE


def build_application(
    runtime: Runtime,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limit: bool = True,
) -> Application:
    settings = runtime.settings
    if settings.telegram_token is None:
        raise ValueError("PANONG_TELEGRAM_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(ContextTypes(context=PanongContext))
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        .persistence(SQLitePersistence(runtime.db, settings.persistence_interval_seconds,
                                       shared=shares_work(settings)))
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
    )
    builder = builder.rate_limiter(RetryingRateLimiter(
        retries=settings.telegram_retries, backoff=settings.telegram_retry_backoff_seconds,
        flood_limits=rate_limit))
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    application = builder.build()
    application.bot_data[RUNTIME_KEY] = runtime
    runtime.outbox.register(CHANNEL, TelegramSender(application.bot, runtime))
    _register_handlers(application)
    return application


def shares_work(settings: Settings) -> bool:
    """Whether other processes may handle this bot's chats: Telegram by webhook, on
    PostgreSQL. Polling, one process has every update and keeps its work in progress in
    memory between rounds of writes."""
    return settings.database_url is not None and settings.telegram_webhook_url is not None


def _registration_conversation() -> ConversationHandler:
    with warnings.catch_warnings():
        # PTB warns that per_message=False tracks callback queries per chat, not per
        # message. That is intended: each button names its step, checked against the draft.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            name=registration.CONVERSATION,
            persistent=True,
            allow_reentry=True,
            entry_points=[CommandHandler("new", registration.start_registration)],
            states={
                registration.FILLING: [
                    CallbackQueryHandler(registration.press_button,
                                         pattern=WizardButton.pattern()),
                    MessageHandler(NEW_MESSAGES & filters.TEXT & ~filters.COMMAND,
                                   registration.answer_text),
                    MessageHandler(NEW_MESSAGES & filters.LOCATION, registration.answer_location),
                    MessageHandler(NEW_MESSAGES & ~filters.COMMAND, registration.wrong_kind),
                ],
            },
            fallbacks=[CommandHandler("cancel", registration.cancel)],
        )


def _notes_conversation() -> ConversationHandler:
    """A typed note follows the person, not the chat: the button may be in a unit's group,
    the note is typed in private (per_chat=False)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            name=notes.CONVERSATION,
            persistent=True,
            per_chat=False,
            allow_reentry=True,
            entry_points=[CallbackQueryHandler(notes.ask_for_note, pattern=NoteButton.pattern())],
            states={
                notes.WRITING: [
                    MessageHandler(PRIVATE_MESSAGES & filters.TEXT & ~filters.COMMAND,
                                   notes.receive_note),
                    MessageHandler(PRIVATE_MESSAGES & ~filters.COMMAND, notes.not_text),
                ],
            },
            fallbacks=[CommandHandler("cancel", notes.cancel_note)],
        )


def _register_handlers(application: Application) -> None:
    # Group -1: identify the user and pick the language, once per update; strangers stop here.
    application.add_handler(TypeHandler(Update, identify_user), group=-1)

    application.add_handlers([
        _notes_conversation(),
        _registration_conversation(),
        CommandHandler("start", start.start),
        CommandHandler("help", start.show_help),
        CommandHandler("language", start.choose_language),
        CommandHandler("link", start.link_code),
        CallbackQueryHandler(start.set_language, pattern=LanguageButton.pattern()),
        CommandHandler("mycases", cases.my_cases),
        CallbackQueryHandler(cases.my_cases_page, pattern=CasesPageButton.pattern()),
        CommandHandler("case", cases.show_case),
        CallbackQueryHandler(cases.open_case_button, pattern=OpenCaseButton.pattern()),
        CommandHandler("invite", admin.ask_invite_role),
        CallbackQueryHandler(admin.ask_invite_organisation, pattern=InviteRoleButton.pattern()),
        CallbackQueryHandler(admin.ask_invite_organisation, pattern=InvitePageButton.pattern()),
        CallbackQueryHandler(admin.create_invite, pattern=InviteOrganisationButton.pattern()),
        CommandHandler("invites", admin.list_invites),
        CallbackQueryHandler(admin.list_invites_page, pattern=InvitesPageButton.pattern()),
        CallbackQueryHandler(admin.revoke_invite, pattern=InviteRevokeButton.pattern()),
        CommandHandler("users", admin.list_users),
        CallbackQueryHandler(admin.list_users_page, pattern=UsersPageButton.pattern()),
        CallbackQueryHandler(admin.set_user_active, pattern=UserActiveButton.pattern()),
        CallbackQueryHandler(referrals.press_referral, pattern=ReferralButton.pattern()),
        CallbackQueryHandler(referrals.choose_referral_option,
                             pattern=ReferralChoiceButton.pattern()),
        CallbackQueryHandler(referrals.press_plan, pattern=PlanButton.pattern()),
        CallbackQueryHandler(referrals.list_destinations,
                             pattern=DestinationListButton.pattern()),
        CallbackQueryHandler(referrals.choose_destination, pattern=DestinationButton.pattern()),
        CallbackQueryHandler(reminders.ask_when,
                             pattern=rf"^{CaseActionButton.prefix}:\d+:remind$"),
        CallbackQueryHandler(referrals.press_case_action, pattern=CaseActionButton.pattern()),
        CallbackQueryHandler(referrals.record_move, pattern=MoveDistrictButton.pattern()),
        CallbackQueryHandler(referrals.press_move_plan, pattern=MovePlanButton.pattern()),
        CommandHandler("inbox", referrals.show_inbox),
        CallbackQueryHandler(referrals.inbox_page, pattern=InboxPageButton.pattern()),
        CommandHandler("queue", referrals.show_queue),
        CallbackQueryHandler(referrals.queue_page, pattern=QueuePageButton.pattern()),
        CallbackQueryHandler(reminders.snooze, pattern=SnoozeButton.pattern()),
        CallbackQueryHandler(reminders.answer_attendance, pattern=AttendanceButton.pattern()),
        CallbackQueryHandler(reminders.remind_in, pattern=RemindMeButton.pattern()),
        CommandHandler("reminders", reminders.show_reminders),
        CommandHandler("erase", erasure.ask_erase),
        CallbackQueryHandler(erasure.confirm_erase, pattern=EraseButton.pattern()),
        CommandHandler("summary", summaries.show_summary),
        CallbackQueryHandler(summaries.press_summary, pattern=SummaryButton.pattern()),
        CommandHandler("export", reports.export_command),
        CommandHandler("chart", reports.chart_command),
        CallbackQueryHandler(reports.press_report, pattern=ReportButton.pattern()),
        MessageHandler(PRIVATE_MESSAGES & filters.Document.ALL, imports.receive_list),
        CommandHandler("locate", imports.show_leads),
        CallbackQueryHandler(imports.leads_page, pattern=LeadPageButton.pattern()),
        CallbackQueryHandler(imports.open_lead, pattern=LeadOpenButton.pattern()),
        CallbackQueryHandler(imports.mark_lead, pattern=LeadMarkButton.pattern()),
        CommandHandler("linkgroup", referrals.link_group),
        CommandHandler("unlinkgroup", referrals.unlink_group),
        ChatMemberHandler(referrals.left_group, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler("cancel", start.cancel_nothing),
        # Whatever nothing above claimed: an old or forged button, a stray message.
        CallbackQueryHandler(start.stale_button),
        MessageHandler(NEW_MESSAGES, start.not_understood),
    ])
    application.add_error_handler(on_error)


async def _announce(application: Application) -> None:
    """Once the bot knows itself: publish the menu, remember the @username for the command
    line's invite links."""
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    await register_default_commands(application.bot, runtime.settings.default_language)
    async with runtime.db.unit_of_work() as uow:
        await uow.bot_state.put(BOT_USERNAME, application.bot.username)
        await uow.commit()
    log.info("Panong is running as @%s", application.bot.username)


Job = Callable[[PanongContext], Awaitable[None]]


def _one_process_at_a_time(runtime: Runtime, name: str, job: Job) -> Job:
    """`job`, skipped while another process runs its own round of it (several workers
    share the database, each with its JobQueue): the rounds never overlap, and a round
    finds only what the rounds before it left. Held on the inbox's lock connection, so a
    process killed mid-round lets the others go on at once."""
    lock = f"job:{name}"

    async def alone(context: PanongContext) -> None:
        if not await runtime.inbox.locks.take(lock):
            return
        try:
            await job(context)
        finally:
            await runtime.inbox.locks.release(lock)

    return alone


def _wake_for_reminders(application: Application, runtime: Runtime) -> None:
    """The JobQueue is only the alarm clock: what is due lives in the database. The first
    run, straight after start-up, sends whatever fell due while the bot was down."""
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _one_process_at_a_time(runtime, "reminders", reminders.reminders_job),
        interval=runtime.settings.reminder_interval_seconds, first=0, name="reminders")


def _expire_drafts_daily(application: Application, runtime: Runtime) -> None:
    """Abandoned drafts (a child's data typed half-way) are deleted once they are older than
    PANONG_DRAFT_EXPIRY_DAYS: looked for at start-up, then once a day."""
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _one_process_at_a_time(runtime, "draft-expiry", drafts.expire_drafts_job),
        interval=timedelta(days=1), first=0, name="draft-expiry")


# How long the event loop may hold the interpreter before a database thread gets its turn.
SWITCH_INTERVAL_SECONDS = 0.0005


def settle() -> None:
    """Tune the interpreter for serving, once start-up is over.

    What start-up made (modules, the directory, the geography, the application, some
    100,000 objects) lives as long as the process: frozen out of the garbage collector's
    way, its full collections, which pause every chat at once, walk only what the chats
    themselves made (77 ms a pause in the chat-load benchmark before, 9 ms after).

    Every database call runs in aiosqlite's thread, which needs the interpreter lock to
    start the call and to hand back its rows. While the event loop is busy, it keeps that
    lock for Python's switch interval, 5 ms by default, so each call waits up to that
    long: a transaction of four statements held the writer for 16 ms on average under the
    chat load, and everybody's next write waited behind it. A tenth of that lets the
    threads in sooner, at the cost of more frequent switches (see docs/benchmarks.md).
    """
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


async def serve(runtime: Runtime, stop: asyncio.Event) -> None:
    """Poll Telegram until `stop` is set.

    The Application runs inside the caller's event loop (not `run_polling`, which makes its
    own) so that the database opened by the runtime and the bot share one loop. Updates not
    yet fetched stay with Telegram across a restart; none are dropped. The caller runs
    the outbox beside it (`runtime.outbox.run`): whatever a crash left owed goes first.
    """
    application = build_application(runtime)
    async with application:
        await _announce(application)
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await application.start()
        _wake_for_reminders(application, runtime)
        _expire_drafts_daily(application, runtime)
        settle()
        try:
            await stop.wait()
        finally:
            await application.updater.stop()
            await application.stop()


async def serve_webhook(runtime: Runtime, stop: asyncio.Event, own_server: bool) -> None:
    """Handle Telegram's updates from the inbox until `stop` is set: the webhook server
    (`handlers.webhook.add_telegram_route`) stores them, and this process handles those
    of the chats it takes, beside the other processes (`bot.inbox`). Telegram is told the
    webhook's address and secret at each start: every process gives the same ones.
    `own_server`: no LINE webhook server to share, so Telegram's route gets one of its own,
    at the same host and port (shared by the processes of one machine, SO_REUSEPORT)."""
    settings = runtime.settings
    runner = None
    if own_server:
        server = web.Application(client_max_size=1024 * 1024)
        add_telegram_route(server, runtime)
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.line_webhook_host, settings.line_webhook_port,
                          reuse_port=True).start()
    assert settings.telegram_webhook_url is not None
    assert settings.telegram_webhook_secret is not None
    application = build_application(runtime)
    async with application:
        await _announce(application)
        await application.bot.set_webhook(
            settings.telegram_webhook_url, allowed_updates=Update.ALL_TYPES,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),
            max_connections=100)
        await application.start()
        runtime.inbox.register(CHANNEL, handle_stored(application))
        _wake_for_reminders(application, runtime)
        _expire_drafts_daily(application, runtime)
        settle()
        try:
            await stop.wait()
        finally:
            if runner is not None:
                await runner.cleanup()
            await runtime.inbox.finish()
            await application.stop()
