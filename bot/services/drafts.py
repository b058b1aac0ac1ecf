"""Work in progress does not outlive its use: a registration abandoned half-way holds a
child's name, identity number and guardian's phone, so it is deleted once it has lain
untouched for `PANONG_DRAFT_EXPIRY_DAYS`, and at once when its author is deactivated
(`bot.services.users.set_user_active`).

This deletes what is stored; the chat adapter also forgets its copy in memory, for the
users returned.
"""

from datetime import datetime, timedelta

from storage.conversations import USER_DATA
from storage.interface import Database


async def expire_drafts(db: Database, *, now: datetime, older_than: timedelta) -> list[str]:
    """Delete every user's work in progress untouched since `older_than` before `now`; the
    channel user ids whose drafts went."""
    async with db.unit_of_work() as uow:
        expired = await uow.conversations.expire_data(USER_DATA, now - older_than)
        if expired:
            await uow.audit.record(at=now, actor_id=None, action="drafts.expire",
                                   entity="conversation_data", entity_id=USER_DATA,
                                   after={"users": len(expired)})
        await uow.commit()
    if expired:
        await db.checkpoint()  # no copy left in the write-ahead log either
    return expired
