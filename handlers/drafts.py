"""The daily job that expires abandoned drafts: the service deletes them from the database,
this forgets PTB's copy in memory."""

from telegram.ext import Application

from bot.runtime import Runtime
from bot.services import drafts
from handlers.context import RUNTIME_KEY, PanongContext


async def expire_drafts(application: Application) -> list[str]:
    runtime: Runtime = application.bot_data[RUNTIME_KEY]
    expired = await drafts.expire_drafts(runtime.db, now=runtime.now(),
                                         older_than=runtime.settings.draft_expiry)
    for user_id in expired:
        application.drop_user_data(int(user_id))
    return expired


async def expire_drafts_job(context: PanongContext) -> None:
    await expire_drafts(context.application)
