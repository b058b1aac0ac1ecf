"""What services, handlers and the channel adapters may ask of storage, whatever holds it.

A faithful description of the SQLite classes (`storage.database`, `storage.repositories`
and the repositories), method for method, as far as the code outside `storage/` uses them:
a second backend implements these and the services above stay as they are. Each Protocol
is named after the class it describes; tests/storage/test_interface.py checks that every
method here exists there with the same signature, and that nothing outside `storage/`
calls a repository method missing here.
"""

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence, Set
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from bot.domain import names
from bot.domain.models import (
    Case,
    CaseSummary,
    Child,
    DuplicateCandidate,
    Invite,
    Need,
    Organisation,
    OutboxMessage,
    Referral,
    ReferralMessage,
    ReferralStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    UnitChat,
    User,
)
from storage.conversations import ConversationEnd
from storage.downloads import Download
from storage.exports import CHUNK
from storage.inbox import ReceivedEvent
from storage.leads import Lead
from storage.outbox import Owed
from storage.referrals import HistoryEntry
from storage.summaries import SummaryFilter


class TallyRepository(Protocol):
    """`storage.tallies.TallyRepository`"""

    async def rebuild(self) -> None: ...

    async def people(self, since: str, district: str | None) -> list[tuple]: ...

    async def causes(self, since: str, district: str | None) -> list[tuple]: ...

    async def needs(self, since: str, district: str | None) -> list[tuple]: ...

    async def referrals(self, since: str) -> list[tuple]: ...

    async def accept_days(self, since: str) -> list[tuple]: ...


class AuditRepository(Protocol):
    """`storage.audit.AuditRepository`"""

    async def record(
        self,
        *,
        at: datetime,
        actor_id: int | None,
        action: str,
        entity: str,
        entity_id: str | int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None: ...

    async def count_lookups(self, actor_id: int, action: str, *, since: datetime) -> int: ...

    async def erase_notes(self, entity: str, entity_ids: list[str], placeholder: str) -> int: ...


class BotStateRepository(Protocol):
    """`storage.bot_state.BotStateRepository`"""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str) -> None: ...


class CaseRepository(Protocol):
    """`storage.cases.CaseRepository`"""

    async def next_code(self, prefix: str, year_be: int) -> str: ...

    async def add_child(self, child: dict, *, name_key: str, now: datetime) -> Child: ...

    async def add_case(self, case: dict, needs: tuple[Need, ...], *, now: datetime) -> Case: ...

    async def set_status(self, case_id: int, status: str, now: datetime) -> None: ...

    async def set_district(self, case_id: int, district_code: str, now: datetime) -> None: ...

    async def teachers(self, case_ids: Iterable[int]) -> dict[int, int]: ...

    async def get(self, case_id: int) -> Case | None: ...

    async def many(self, case_ids: Iterable[int]) -> dict[int, Case]: ...

    async def by_submission(self, submission_id: str) -> Case | None: ...

    async def by_code(self, code: str) -> Case | None: ...

    async def child(self, child_id: int) -> Child: ...

    async def children(self, child_ids: Iterable[int]) -> dict[int, Child]: ...

    async def count_for_teacher(self, teacher_id: int) -> int: ...

    async def page_for_teacher(
        self, teacher_id: int, *, offset: int, limit: int
    ) -> list[CaseSummary]: ...

    async def codes_by_identity(self, identity_number: str) -> list[tuple[int, str]]: ...

    async def codes_by_guardian_phone(self, phone: str) -> list[tuple[int, str]]: ...

    async def file_name(self, case_id: int, *, district_code: str, birth_year: int,
                        name_key: str) -> None: ...

    async def name_candidates(
        self, *, district_code: str, birth_years: Sequence[int], name_key: str,
        limit: int = names.MOST_CANDIDATES, per_key: int = names.MOST_PER_KEY,
    ) -> list[DuplicateCandidate]: ...

    async def erase_child(self, case_id: int, placeholder: str) -> int: ...


class ConversationRepository(Protocol):
    """`storage.conversations.ConversationRepository`"""

    async def load_data(self, kind: str) -> dict[str, Any]: ...

    async def get_data(self, kind: str, key: str) -> Any: ...

    async def get_state(self, name: str, key: str) -> Any: ...

    async def put_data(self, kind: str, rows: Mapping[str, str | None]) -> None: ...

    async def end(self, ending: ConversationEnd) -> None: ...

    async def expire_data(self, kind: str, before: datetime) -> list[str]: ...

    async def load_states(self, name: str) -> dict[str, Any]: ...

    async def put_states(self, rows: Mapping[tuple[str, str], str | None]) -> None: ...


class DownloadRepository(Protocol):
    """`storage.downloads.DownloadRepository`"""

    async def add(
        self,
        token_hash: str,
        user_id: int,
        *,
        content_type: str,
        file_name: str,
        content: bytes,
        now: datetime,
        expires_at: datetime,
    ) -> int: ...

    async def take(self, token_hash: str, now: datetime) -> Download | None: ...

    async def forget_expired(self, now: datetime) -> int: ...


class ExportRepository(Protocol):
    """`storage.exports.ExportRepository`"""

    # An async generator there: called without await, it gives the rows to `async for`.
    def case_list(self, within: SummaryFilter, chunk: int = CHUNK) -> AsyncIterator[tuple]: ...


class InviteRepository(Protocol):
    """`storage.invites.InviteRepository`"""

    async def add(self, invite: Invite) -> None: ...

    async def get(self, code: str) -> Invite | None: ...

    async def by_prefix(self, prefix: str) -> list[Invite]: ...

    async def count_pending(self, now: datetime) -> int: ...

    async def pending(self, now: datetime, *, offset: int, limit: int) -> list[Invite]: ...

    async def revoke(self, code: str, by: int, now: datetime) -> bool: ...

    async def revoke_made_by(self, creator_id: int, by: int, now: datetime) -> list[str]: ...

    async def mark_used(self, code: str, user_id: int, now: datetime) -> bool: ...


class LeadRepository(Protocol):
    """`storage.leads.LeadRepository`"""

    async def existing(self, column: str, values: Sequence[str], table: str) -> set[str]: ...

    async def add_import(
        self, *, file_name: str, imported_by: int | None, now: datetime, total: int, rejected: int
    ) -> int: ...

    async def count_import(self, import_id: int, *, added: int, already: int) -> None: ...

    async def add_many(
        self, import_id: int, leads: Iterable[dict[str, object]], now: datetime
    ) -> None: ...

    async def get(self, lead_id: int) -> Lead | None: ...

    async def count_to_locate(self, school_id: str) -> int: ...

    async def page_to_locate(self, school_id: str, *, offset: int, limit: int) -> list[Lead]: ...

    async def mark(
        self, lead_id: int, *, status: str, result_code: str | None, by: int, now: datetime
    ) -> bool: ...

    async def by_ref(self, ref: str) -> Lead | None: ...

    async def with_identity(self, identity_number: str) -> list[int]: ...

    async def erase(self, lead_ids: Sequence[int], placeholder: str) -> None: ...


class InboxRepository(Protocol):
    """`storage.inbox.InboxRepository`"""

    async def add(
        self, channel: str, events: Sequence[tuple[str, str, dict[str, Any]]], now: datetime
    ) -> list[ReceivedEvent | None]: ...

    async def waiting_chats(
        self, channels: Sequence[str], limit: int
    ) -> list[tuple[str, str]]: ...

    async def unhandled_of(
        self, channel: str, chat_id: str, limit: int
    ) -> list[ReceivedEvent]: ...

    async def unhandled(self) -> list[ReceivedEvent]: ...

    async def handled(self, event_id: int, now: datetime) -> bool: ...

    async def forget(self, handled_before: datetime) -> int: ...


class LinkCodeRepository(Protocol):
    """`storage.link_codes.LinkCodeRepository`"""

    async def add(
        self, code: str, user_id: int, *, now: datetime, expires_at: datetime
    ) -> None: ...

    async def use(self, code: str, now: datetime) -> int | None: ...


class OrganisationRepository(Protocol):
    """`storage.organisations.OrganisationRepository`"""

    async def get(self, organisation_id: str) -> Organisation | None: ...

    async def many(self, organisation_ids: Iterable[str]) -> dict[str, Organisation]: ...

    async def active(self, kinds: Iterable[str] | None = None) -> list[Organisation]: ...

    async def replace_all(self, organisations: list[Organisation]) -> None: ...


class OutboxRepository(Protocol):
    """`storage.outbox.OutboxRepository`"""

    async def add(self, owed: Sequence[Owed], now: datetime) -> None: ...

    async def claim(
        self,
        now: datetime,
        until: datetime,
        limit: int,
        channels: Sequence[str],
        per_chat: int,
        skip: Set[tuple[str, str]] = frozenset(),
    ) -> list[OutboxMessage]: ...

    async def owes(self, channel: str, chat_id: str) -> bool: ...

    async def claim_chat(
        self, channel: str, chat_id: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxMessage]: ...

    async def claim_preview(self, now: datetime, channels: Sequence[str]) -> bool: ...

    async def sent(self, message_id: int, now: datetime) -> bool: ...

    async def retry(self, message_id: int, error: str, at: datetime) -> None: ...

    async def release(self, message_ids: Sequence[int]) -> None: ...

    async def release_all(self) -> None: ...

    async def failed(self, message_id: int, error: str) -> None: ...

    async def cancelled(self, message_id: int) -> None: ...

    async def failed_messages(self, limit: int) -> tuple[int, list[OutboxMessage]]: ...

    async def forget_case(self, case_id: int) -> None: ...


class ReferralRepository(Protocol):
    """`storage.referrals.ReferralRepository`"""

    async def add(
        self,
        *,
        case_id: int,
        need: str,
        organisation_id: str | None,
        status: ReferralStatus,
        created_by: int,
        now: datetime,
        previous_id: int | None = None,
    ) -> Referral: ...

    async def get(self, referral_id: int) -> Referral | None: ...

    async def many(self, referral_ids: Iterable[int]) -> list[Referral]: ...

    async def for_case(self, case_id: int) -> list[Referral]: ...

    async def transition(
        self,
        referral_id: int,
        *,
        from_: Iterable[ReferralStatus],
        to: ReferralStatus,
        now: datetime,
        unit: str | None = None,
        **changes: Any,
    ) -> Referral | None: ...

    async def clear_awaiting(self, referral_id: int, now: datetime) -> bool: ...

    async def count_for_unit(
        self, organisation_id: str, statuses: Iterable[ReferralStatus]
    ) -> int: ...

    async def page_for_unit(
        self, organisation_id: str, statuses: Iterable[ReferralStatus], *, offset: int, limit: int
    ) -> list[Referral]: ...

    async def count_awaiting(self) -> int: ...

    async def page_awaiting(self, *, offset: int, limit: int) -> list[Referral]: ...

    async def history(self, case_id: int) -> list[HistoryEntry]: ...

    async def add_messages(self, messages: Iterable[ReferralMessage]) -> None: ...

    async def messages(self, referral_id: int) -> list[ReferralMessage]: ...

    async def unit_chat(self, organisation_id: str) -> UnitChat | None: ...

    async def unit_chat_by_chat(self, channel: str, chat_id: str) -> UnitChat | None: ...

    async def link_chat(self, chat: UnitChat) -> None: ...

    async def unlink_chat(self, channel: str, chat_id: str) -> str | None: ...


class ReminderRepository(Protocol):
    """`storage.reminders.ReminderRepository`"""

    async def add(
        self,
        *,
        kind: ReminderKind,
        case_id: int,
        due_at: datetime,
        now: datetime,
        referral_id: int | None = None,
        user_id: int | None = None,
        detail: str | None = None,
    ) -> Reminder: ...

    async def get(self, reminder_id: int) -> Reminder | None: ...

    async def pending_for(
        self, *, referral_id: int | None = None, case_id: int | None = None
    ) -> list[Reminder]: ...

    async def cancel(self, reminder_ids: Iterable[int], now: datetime) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[Reminder]: ...

    async def mark_answered(self, reminder_id: int, now: datetime) -> bool: ...

    async def set_statuses(
        self, changes: list[tuple[int, ReminderStatus]], now: datetime
    ) -> None: ...

    async def pending_between(
        self, start: datetime, end: datetime, limit: int
    ) -> tuple[int, list[Reminder]]: ...


class SummaryRepository(Protocol):
    """`storage.summaries.SummaryRepository`"""

    async def people(self, within: SummaryFilter) -> list[tuple]: ...

    async def reasons(self, within: SummaryFilter) -> list[tuple]: ...

    async def referrals(
        self, within: SummaryFilter
    ) -> list[tuple[str | None, str, str, str | None, int]]: ...

    async def overdue(self, within: SummaryFilter, before: datetime) -> dict[str, int]: ...

    async def days_to_accept(self, within: SummaryFilter) -> list[tuple[str, int, int]]: ...

    async def lists(
        self, since: datetime | None, district: str | None
    ) -> list[tuple[str, str, int, int]]: ...


class UsageRepository(Protocol):
    """`storage.usage.UsageRepository`"""

    async def pushes(self, channel: str, month: str) -> int: ...

    async def add_pushes(self, channel: str, month: str, count: int) -> int: ...

    async def mark_warned(self, channel: str, month: str) -> bool: ...


class UserRepository(Protocol):
    """`storage.users.UserRepository`"""

    async def by_channel_id(self, channel: str, channel_user_id: str) -> User | None: ...

    async def channels(self, user_id: int) -> dict[str, str]: ...

    async def active_on(self, channel: str) -> list[tuple[str, User]]: ...

    async def add_channel(
        self, user_id: int, channel: str, channel_user_id: str, now: datetime
    ) -> None: ...

    async def set_home(self, user_id: int, channel: str, channel_user_id: str) -> None: ...

    async def get(self, user_id: int) -> User | None: ...

    async def many(self, user_ids: Iterable[int]) -> list[User]: ...

    async def add(
        self,
        *,
        channel: str,
        channel_user_id: str,
        display_name: str,
        role: Role,
        organisation_id: str,
        language: str | None,
        invited_by: int | None,
        now: datetime,
    ) -> User: ...

    async def set_language(self, user_id: int, language: str | None) -> None: ...

    async def set_active(self, user_id: int, active: bool) -> None: ...

    async def count(self) -> int: ...

    async def page(self, *, offset: int, limit: int) -> list[User]: ...

    async def active_with_role(
        self, role: Role, organisation_id: str | None = None
    ) -> list[User]: ...

    async def set_unreachable(self, user_id: int, since: datetime | None) -> None: ...

    async def set_undelivered(
        self, channel: str, channel_user_id: str, since: datetime
    ) -> None: ...

    async def undelivered(self, limit: int) -> list[User]: ...

    async def clear_undelivered(self, user_id: int, since: datetime) -> None: ...


class KnownUsers(Protocol):
    """`storage.users.KnownUsers`"""

    async def by_channel_id(
        self, users: UserRepository, channel: str, channel_user_id: str
    ) -> User | None: ...


class Repositories(Protocol):
    """`storage.repositories.Repositories`: every repository, on one connection."""

    tallies: TallyRepository
    audit: AuditRepository
    bot_state: BotStateRepository
    cases: CaseRepository
    conversations: ConversationRepository
    downloads: DownloadRepository
    exports: ExportRepository
    inbox: InboxRepository
    invites: InviteRepository
    leads: LeadRepository
    link_codes: LinkCodeRepository
    organisations: OrganisationRepository
    outbox: OutboxRepository
    referrals: ReferralRepository
    reminders: ReminderRepository
    summaries: SummaryRepository
    usage: UsageRepository
    users: UserRepository


class UnitOfWork(Repositories, Protocol):
    """`storage.repositories.UnitOfWork`: the repositories inside one transaction, kept only
    when committed."""

    async def commit(self) -> None: ...


class Database(Protocol):
    """`storage.database.Database`."""

    known_users: KnownUsers
    # Set when a transaction that wrote into the outbox commits: the dispatcher wakes.
    owed: asyncio.Event

    @property
    def read(self) -> Repositories: ...

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def checkpoint(self) -> bool: ...
