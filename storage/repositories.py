"""All repositories bound to one connection, so a service sees one consistent view; and a
unit of work, the same inside one transaction."""

import asyncio
from datetime import UTC, tzinfo

from storage.audit import AuditRepository
from storage.bot_state import BotStateRepository
from storage.cases import CaseRepository
from storage.conversations import ConversationRepository
from storage.downloads import DownloadRepository
from storage.exports import ExportRepository
from storage.inbox import InboxRepository
from storage.invites import InviteRepository
from storage.leads import LeadRepository
from storage.link_codes import LinkCodeRepository
from storage.organisations import OrganisationRepository
from storage.outbox import OutboxRepository
from storage.referrals import ReferralRepository
from storage.reminders import ReminderRepository
from storage.sql import Connection
from storage.summaries import SummaryRepository
from storage.tallies import TallyRepository
from storage.usage import UsageRepository
from storage.users import KnownUsers, UserRepository


class Repositories:
    def __init__(self, conn: Connection, tz: tzinfo = UTC) -> None:
        """`tz`: where the deployment lives, for the local days the tallies count by."""
        self.conn = conn
        self.tallies = TallyRepository(conn, tz)
        self.audit = AuditRepository(conn)
        self.bot_state = BotStateRepository(conn)
        self.cases = CaseRepository(conn, self.tallies)
        self.conversations = ConversationRepository(conn)
        self.downloads = DownloadRepository(conn)
        self.exports = ExportRepository(conn)
        self.inbox = InboxRepository(conn)
        self.invites = InviteRepository(conn)
        self.leads = LeadRepository(conn)
        self.link_codes = LinkCodeRepository(conn)
        self.organisations = OrganisationRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.referrals = ReferralRepository(conn, self.tallies)
        self.reminders = ReminderRepository(conn)
        self.summaries = SummaryRepository(conn)
        self.usage = UsageRepository(conn)
        self.users = UserRepository(conn)


class UnitOfWork(Repositories):
    """Repositories bound to one connection inside one transaction, which the backend
    opened.

    Nothing is kept unless `commit()` is called: leaving the block without it rolls back.
    """

    def __init__(self, conn: Connection, tz: tzinfo, known_users: KnownUsers,
                 owed: asyncio.Event) -> None:
        super().__init__(conn, tz)
        self.committed = False
        self._known_users = known_users
        self._owed = owed

    async def commit(self) -> None:
        await self._commit()
        self.committed = True
        if self.users.changed:
            self._known_users.forget()
        self._known_users.committed()
        if self.outbox.added:
            self._owed.set()

    async def _commit(self) -> None:
        """The backend's COMMIT."""
        raise NotImplementedError
