"""Pushes cost money on LINE: the month's count against the plan's budget.

A reply (the answer to a person's own message) is free; a push (a notice, a reminder)
counts against the account's monthly free messages and is charged beyond. The outbox's
LINE sender asks how many are left before it pushes and counts what it pushed. When few
are left the coordinators are told, once a month; when none are left, notices wait for
the next month or for the person's next message.
"""

from datetime import datetime, timedelta, tzinfo

from pydantic import BaseModel, ConfigDict

from bot.services.notices import Notice
from bot.services.outbox import notice_row
from bot.services.recipients import coordinator_targets
from storage.interface import Database


def month_of(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def next_month(moment: datetime, tz: tzinfo) -> datetime:
    """The first moment of the next month, where the deployment is."""
    local = moment.astimezone(tz)
    return (local.replace(day=28) + timedelta(days=4)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0)


class Usage(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: str  # YYYY-MM, where the deployment is
    pushes: int
    budget: int


async def usage(db: Database, channel: str, *, budget: int, now: datetime,
                tz: tzinfo) -> Usage:
    """This month's pushes against the budget (for the coordinators' /reminders)."""
    month = month_of(now, tz)
    return Usage(month=month, pushes=await db.read.usage.pushes(channel, month), budget=budget)


async def left(db: Database, channel: str, *, budget: int, now: datetime, tz: tzinfo) -> int:
    return budget - await db.read.usage.pushes(channel, month_of(now, tz))


async def spent(db: Database, channel: str, count: int, *, budget: int, warn_at: int,
                now: datetime, tz: tzinfo, default_language: str) -> int:
    """Count `count` pushes; when no more than `warn_at` are left, tell the coordinators
    (once a month). How many are left."""
    month = month_of(now, tz)
    async with db.unit_of_work() as uow:
        total = await uow.usage.add_pushes(channel, month, count)
        remaining = budget - total
        if remaining <= warn_at and await uow.usage.mark_warned(channel, month):
            await uow.outbox.add([notice_row(Notice(
                channel=to_channel, channel_user_id=chat_id, language=language,
                key="pushes-running-low", params={"left": max(0, remaining),
                                                  "budget": budget}))
                for to_channel, chat_id, language in await coordinator_targets(
                    uow, default_language)], now)
        await uow.commit()
    return remaining
