"""All repositories bound to one connection, so a service sees one consistent view."""

from datetime import UTC, tzinfo

import aiosqlite

from storage.audit import AuditRepository
from storage.bot_state import BotStateRepository
from storage.cases import CaseRepository
from storage.conversations import ConversationRepository
from storage.downloads import DownloadRepository
from storage.exports import ExportRepository
from storage.invites import InviteRepository
from storage.leads import LeadRepository
from storage.line_events import LineEventRepository
from storage.link_codes import LinkCodeRepository
from storage.organisations import OrganisationRepository
from storage.outbox import OutboxRepository
from storage.referrals import ReferralRepository
from storage.reminders import ReminderRepository
from storage.summaries import SummaryRepository
from storage.tallies import TallyRepository
from storage.usage import UsageRepository
from storage.users import UserRepository


class Repositories:
    def __init__(self, conn: aiosqlite.Connection, tz: tzinfo = UTC) -> None:
        """`tz`: where the deployment lives, for the local days the tallies count by."""
        self.conn = conn
        self.tallies = TallyRepository(conn, tz)
        self.audit = AuditRepository(conn)
        self.bot_state = BotStateRepository(conn)
        self.cases = CaseRepository(conn, self.tallies)
        self.conversations = ConversationRepository(conn)
        self.downloads = DownloadRepository(conn)
        self.exports = ExportRepository(conn)
        self.invites = InviteRepository(conn)
        self.leads = LeadRepository(conn)
        self.line_events = LineEventRepository(conn)
        self.link_codes = LinkCodeRepository(conn)
        self.organisations = OrganisationRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.referrals = ReferralRepository(conn, self.tallies)
        self.reminders = ReminderRepository(conn)
        self.summaries = SummaryRepository(conn)
        self.usage = UsageRepository(conn)
        self.users = UserRepository(conn)
