"""Files handed over as a short-lived link, where a channel cannot send a document (LINE).

The link's token is random (`secrets.token_urlsafe`, 192 bits), so nobody finds it by
trying; only its SHA-256 is stored, so the database does not give it away either; it is
sent only in the reply to the person who asked; and it works for a few minutes. Then the
file is deleted: a child's data in an export must not lie about. Who made a link and each
time it is fetched go into the audit trail (never the token).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from bot.domain.models import User
from bot.services.access import require_user
from storage.downloads import Download
from storage.interface import Database

TOKEN_BYTES = 24


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def offer(db: Database, actor: User | None, content: bytes, *, file_name: str,
                content_type: str, now: datetime, valid_for: timedelta) -> str:
    """Keep `content` for `actor` to fetch until `valid_for` has passed; the link's token.
    Files whose links expired go at the same time."""
    actor = require_user(actor)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with db.unit_of_work() as uow:
        await uow.downloads.forget_expired(now)
        download_id = await uow.downloads.add(
            _hash(token), actor.id, content_type=content_type, file_name=file_name,
            content=content, now=now, expires_at=now + valid_for)
        await uow.audit.record(at=now, actor_id=actor.id, action="download.offered",
                               entity="download", entity_id=download_id,
                               after={"content_type": content_type, "bytes": len(content),
                                      "minutes": valid_for.total_seconds() // 60})
        await uow.commit()
    return token


async def fetch(db: Database, token: str, *, now: datetime) -> Download | None:
    """The file of `token` while its link works (None for an unknown or expired one: the
    asker learns nothing more), counted and recorded."""
    if not token or len(token) > 100:
        return None
    async with db.unit_of_work() as uow:
        forgotten = await uow.downloads.forget_expired(now)
        download = await uow.downloads.take(_hash(token), now)
        if download is not None:
            await uow.audit.record(at=now, actor_id=download.user_id, action="download.fetched",
                                   entity="download", entity_id=download.id,
                                   after={"times": download.downloads})
        await uow.commit()
    if forgotten:
        await db.checkpoint()
    return download


async def forget_expired(db: Database, *, now: datetime) -> int:
    """Delete the files whose links have expired, from the database file and its log too;
    how many. Run by the reminders job, and whenever a link is made or followed."""
    async with db.unit_of_work() as uow:
        forgotten = await uow.downloads.forget_expired(now)
        await uow.commit()
    if forgotten:
        await db.checkpoint()
    return forgotten
