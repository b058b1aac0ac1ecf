"""Follow-up reminders that are never lost and never sent twice (as far as a crash allows).

The database is the schedule. Referral changes (re)schedule their reminders in the same
transaction (`reschedule`); a teacher adds their own (`remind_me`). One job wakes up now
and then and:

1. `expand_due` turns the reminders whose time has come into outbox rows, one per chat that
   must get it, in one transaction. A reminder whose reason has gone (the referral was
   accepted, the case closed) is cancelled instead. Nothing is expanded in quiet hours.
2. The outbox's dispatcher (`bot.services.delivery`) sends each row, composed at that
   moment (`compose`: a reminder whose reason went meanwhile is not sent), like every
   other owed message. When the person blocked the bot the coordinators get it instead
   (`unreachable`).
"""

from datetime import datetime, timedelta, tzinfo

from pydantic import BaseModel, ConfigDict

from bot.domain.models import (
    Case,
    OrganisationKind,
    OutboxMessage,
    Outcome,
    Referral,
    ReferralStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    User,
)
from bot.domain.schedule import (
    DATA_ROUND_NOTICE,
    ReminderPolicy,
    add_working_days,
    data_rounds_between,
)
from bot.errors import PermissionDenied, StaleAction
from bot.flows.referrals import notice_buttons
from bot.i18n import pick_language, translator
from bot.services.access import require_user
from bot.services.cases import held_case, holds
from bot.services.notices import Notice, NoticeButton
from bot.services.outbox import notice_row, reminder_row
from bot.services.recipients import (
    Target,
    coordinator_targets,
    reachable,
    target,
    unit_targets,
)
from storage.conversations import ConversationEnd
from storage.interface import Database, Repositories

K, S = ReminderKind, ReferralStatus
# Reminders that follow a referral's state; rescheduled whenever it changes.
REFERRAL_KINDS = frozenset({K.UNANSWERED, K.ESCALATION, K.STALLED, K.QUESTION, K.ATTENDANCE,
                            K.DATA_ROUND})
# The state each kind is about: in any other, the reminder's reason has gone.
STILL_DUE = {
    K.UNANSWERED: (S.SENT,),
    K.ESCALATION: (S.SENT,),
    K.STALLED: (S.ACCEPTED, S.IN_PROGRESS),
    K.QUESTION: (S.INFO_REQUESTED,),
    K.ATTENDANCE: (S.COMPLETED,),
    K.DATA_ROUND: (S.COMPLETED,),
}
ENROLLED = (Outcome.ENROLLED_SCHOOL, Outcome.ENROLLED_NON_FORMAL,
            Outcome.VOCATIONAL_TRAINING)
SNOOZE_DAYS = (1, 7)
# What a reminder about a referral offers to do to it.
_ON_REFERRAL = {
    K.UNANSWERED: ("accept", "decline"),
    K.STALLED: ("complete",),
    K.QUESTION: ("answer",),
}


# --- scheduling ---------------------------------------------------------------------------


async def reschedule(repos: Repositories, referral: Referral, policy: ReminderPolicy,
                     now: datetime) -> None:
    """Cancel the referral's pending reminders and schedule those its new state calls for.
    Runs inside the transaction that changed the referral."""
    pending = await repos.reminders.pending_for(referral_id=referral.id)
    await repos.reminders.cancel([r.id for r in pending if r.kind in REFERRAL_KINDS], now)
    status = referral.status

    async def add(kind: ReminderKind, due: datetime, detail: str | None = None) -> None:
        await repos.reminders.add(kind=kind, case_id=referral.case_id,
                                  referral_id=referral.id, due_at=due, now=now, detail=detail)

    if status is S.SENT and referral.organisation_id is not None:
        unit = await repos.organisations.get(referral.organisation_id)
        assert unit is not None
        remind, escalate = policy.unanswered(unit.kind)
        # The unit's clock starts when the referral (or the teacher's answer) reached it.
        await add(K.UNANSWERED, add_working_days(referral.updated_at, remind, policy.tz))
        await add(K.ESCALATION, referral.updated_at + timedelta(days=escalate))
    elif status is S.INFO_REQUESTED:
        await add(K.QUESTION, now + timedelta(days=policy.question_days))
    elif status in (S.ACCEPTED, S.IN_PROGRESS):
        since = referral.accepted_at or now
        await add(K.STALLED, since + timedelta(days=policy.stalled_days))
    elif status is S.COMPLETED and referral.outcome in ENROLLED:
        enrolled = referral.closed_at or now
        for days in policy.attendance_days:
            await add(K.ATTENDANCE, enrolled + timedelta(days=days), detail=str(days))
        unit = await repos.organisations.get(referral.organisation_id or "")
        if referral.outcome is Outcome.ENROLLED_SCHOOL and unit is not None \
                and unit.kind is OrganisationKind.OBEC:
            today = policy.today(enrolled)
            last = today + timedelta(days=max(policy.attendance_days, default=0))
            for round_day in data_rounds_between(today + DATA_ROUND_NOTICE, last):
                await add(K.DATA_ROUND, policy.morning(round_day - DATA_ROUND_NOTICE),
                          detail=round_day.isoformat())


async def cancel_for_referral(repos: Repositories, referral_id: int, now: datetime) -> None:
    pending = await repos.reminders.pending_for(referral_id=referral_id)
    await repos.reminders.cancel([r.id for r in pending], now)


async def check_case(db: Database, actor: User | None, case_id: int) -> Case:
    """The case, if the actor may set reminders on it (they hold it)."""
    _, case = await held_case(db.read, actor, case_id)
    return case


async def remind_me(db: Database, actor: User | None, case_id: int, when: datetime, *,
                    now: datetime, ending: ConversationEnd | None = None) -> Reminder:
    """The teacher's own follow-up on a case they hold, at the time they chose."""
    if when <= now:
        raise StaleAction()
    async with db.unit_of_work() as uow:
        actor, _ = await held_case(uow, actor, case_id)
        reminder = await uow.reminders.add(kind=K.FOLLOW_UP, case_id=case_id, user_id=actor.id,
                                           due_at=when, now=now)
        await uow.audit.record(at=now, actor_id=actor.id, action="reminder.add",
                               entity="reminder", entity_id=reminder.id,
                               after={"case_id": case_id, "due_at": when})
        if ending is not None:  # the typed date ends the note's conversation
            await uow.conversations.end(ending)
        await uow.commit()
    return reminder


async def snooze(db: Database, actor: User | None, reminder_id: int, days: int, *,
                 now: datetime) -> Reminder:
    """Remind again in `days` days; only someone the reminder was for may ask."""
    if days not in SNOOZE_DAYS:
        raise StaleAction()
    async with db.unit_of_work() as uow:
        actor = require_user(await uow.users.get(require_user(actor).id))
        reminder = await uow.reminders.get(reminder_id)
        if reminder is None or not await _was_for(uow, actor, reminder):
            raise PermissionDenied()
        again = await uow.reminders.add(
            kind=reminder.kind, case_id=reminder.case_id, referral_id=reminder.referral_id,
            user_id=reminder.user_id, detail=reminder.detail,
            due_at=now + timedelta(days=days), now=now)
        await uow.audit.record(at=now, actor_id=actor.id, action="reminder.snooze",
                               entity="reminder", entity_id=reminder.id,
                               after={"again": again.id, "due_at": again.due_at})
        await uow.commit()
    return again


async def _was_for(repos: Repositories, actor: User, reminder: Reminder) -> bool:
    """Whether the reminder went (or would go) to the actor."""
    if actor.role is Role.COORDINATOR:
        return True
    if reminder.kind is K.FOLLOW_UP:
        return reminder.user_id == actor.id
    case = await repos.cases.get(reminder.case_id)
    if reminder.kind in (K.UNANSWERED, K.STALLED):
        referral = await repos.referrals.get(reminder.referral_id or 0)
        return (actor.role is Role.FOCAL_POINT and referral is not None
                and referral.organisation_id == actor.organisation_id)
    return case is not None and reminder.kind is not K.ESCALATION and holds(actor, case)


# --- the wake-up: due reminders become outbox rows ----------------------------------------


async def expand_due(db: Database, policy: ReminderPolicy, *, now: datetime, limit: int,
                     default_language: str) -> int:
    """Turn up to `limit` due reminders into messages; how many reminders were handled. In
    quiet hours nothing is due: the reminders wait for the morning. A handful of queries
    per batch, whatever its size: the wake-up holds the write lock while it runs."""
    if policy.is_quiet(now):
        return 0
    async with db.unit_of_work() as uow:
        due = await uow.reminders.due(now, limit)
        batch = await _Batch.load(uow, due, default_language)
        messages, statuses = [], []
        for reminder in due:
            if not _still_due(reminder, batch.referrals.get(reminder.referral_id or 0),
                              batch.users.get(reminder.user_id or 0)):
                statuses.append((reminder.id, ReminderStatus.CANCELLED))
                continue
            messages += [reminder_row(channel=channel, chat_id=chat_id, language=language,
                                      reminder_id=reminder.id, case_id=reminder.case_id)
                         for channel, chat_id, language in await batch.recipients(reminder)]
            statuses.append((reminder.id, ReminderStatus.SENT))
        await uow.outbox.add(messages, now)
        await uow.reminders.set_statuses(statuses, now)
        await uow.commit()
    return len(due)


def _still_due(reminder: Reminder, referral: Referral | None, user: User | None) -> bool:
    """Whether the reason for the reminder is still there."""
    if reminder.kind is K.FOLLOW_UP:
        return user is not None and user.active
    return referral is not None and referral.status in STILL_DUE[reminder.kind]


class _Batch:
    """What one wake-up needs to know about its due reminders, read in a few queries."""

    def __init__(self, repos: Repositories, default_language: str) -> None:
        self.repos = repos
        self.default_language = default_language
        self.referrals: dict[int, Referral] = {}
        self.users: dict[int, User] = {}
        self.teachers: dict[int, int] = {}  # case id -> teacher's user id
        self._units: dict[str, list[Target]] = {}
        self._coordinators: list[Target] | None = None

    @classmethod
    async def load(cls, repos: Repositories, due: list[Reminder],
                   default_language: str) -> "_Batch":
        batch = cls(repos, default_language)
        batch.referrals = {r.id: r for r in await repos.referrals.many(
            {r.referral_id for r in due if r.referral_id})}
        batch.teachers = await repos.cases.teachers({r.case_id for r in due})
        wanted = {r.user_id for r in due if r.user_id} | set(batch.teachers.values())
        batch.users = {u.id: u for u in await repos.users.many(wanted)}
        return batch

    async def recipients(self, reminder: Reminder) -> list[Target]:
        """Who gets the reminder; the coordinators when nobody else can."""
        found: list[Target] = []
        if reminder.kind in (K.UNANSWERED, K.STALLED):
            unit = self.referrals[reminder.referral_id or 0].organisation_id
            found = await self._unit(unit) if unit else []
        elif reminder.kind is not K.ESCALATION:
            person = self.users.get(reminder.user_id if reminder.kind is K.FOLLOW_UP
                                    else self.teachers.get(reminder.case_id, 0) or 0)
            found = [target(person, self.default_language)] \
                if person and reachable([person]) else []
        return found or await self._coordinators_once()

    async def _unit(self, unit_id: str) -> list[Target]:
        if unit_id not in self._units:
            self._units[unit_id] = await unit_targets(self.repos, unit_id,
                                                      self.default_language)
        return self._units[unit_id]

    async def _coordinators_once(self) -> list[Target]:
        if self._coordinators is None:
            self._coordinators = await coordinator_targets(self.repos, self.default_language)
        return self._coordinators


# --- composing and rerouting reminders in the outbox ------------------------------------


async def compose(repos: Repositories, message: OutboxMessage, *,
                  now: datetime) -> Notice | None:
    """The reminder to send now, or None when its reason has gone since it was queued.
    Case code, need and unit only: no name, no identity number."""
    reminder = await repos.reminders.get(message.reminder_id or 0)
    if reminder is None:
        return None
    referral = await repos.referrals.get(reminder.referral_id) if reminder.referral_id \
        else None
    user = await repos.users.get(reminder.user_id) if reminder.user_id else None
    if not _still_due(reminder, referral, user):
        return None
    case = await repos.cases.get(reminder.case_id)
    assert case is not None
    return await _notice(repos, message, reminder, case, referral, now)


async def _notice(repos: Repositories, message: OutboxMessage, reminder: Reminder,
                  case: Case, referral: Referral | None, now: datetime) -> Notice:
    params: dict[str, str | int] = {"code": case.code}
    names: dict[str, dict[str, str]] = {}
    labels: dict[str, str] = {}
    if referral is not None:
        labels["need"] = f"need-{referral.need}"
        unit = await repos.organisations.get(referral.organisation_id or "")
        if unit is not None:
            names["unit"] = {"th": unit.short_th, "en": unit.short_en}
        since = referral.accepted_at if reminder.kind is K.STALLED else \
            referral.closed_at if reminder.kind in (K.ATTENDANCE, K.DATA_ROUND) else \
            referral.updated_at
        params["days"] = max(0, (now - (since or now)).days)
    if reminder.kind is K.DATA_ROUND and reminder.detail:
        params["round"] = reminder.detail
    instead_of = message.payload.get("instead_of")
    if instead_of is not None:
        labels["what"] = f"reminder-what-{reminder.kind}"
        return Notice(channel=message.channel, channel_user_id=message.chat_id,
                      language=message.language, key="reminder-unreachable",
                      params={**params, "name": str(instead_of)}, names=names,
                      labels=labels)
    return Notice(channel=message.channel, channel_user_id=message.chat_id,
                  language=message.language, key=f"reminder-{reminder.kind}", params=params,
                  names=names, labels=labels, buttons=_buttons(reminder))


def _buttons(reminder: Reminder) -> list[NoticeButton]:
    """Act on the reminder where it is read: on its referral (the actions of
    `bot.flows.referrals`), or on the reminder itself (answer, snooze)."""
    rid = reminder.id
    if reminder.kind in (K.ATTENDANCE, K.DATA_ROUND):
        return [NoticeButton(label=f"button-attend-{a}", action=f"attend-{a}", target_id=rid)
                for a in ("yes", "no", "moved", "unknown")]
    return [*notice_buttons(_ON_REFERRAL.get(reminder.kind, ()), reminder.referral_id or 0),
            *(NoticeButton(label=f"button-snooze-{days}", action=f"snooze-{days}",
                           target_id=rid) for days in SNOOZE_DAYS)]


async def unreachable(repos: Repositories, messages: list[OutboxMessage], *, now: datetime,
                      default_language: str) -> None:
    """The recipient of owed messages (one chat's) blocked the bot: mark them unreachable;
    each reminder goes to the coordinators instead, saying whom it was for. Inside the
    caller's transaction."""
    first = messages[0]
    user = await repos.users.by_channel_id(first.channel, first.chat_id)
    if user is not None:
        await _mark_unreachable(repos, user, now)
    name = user.display_name if user else first.chat_id
    coordinators = await coordinator_targets(repos, default_language)
    await repos.outbox.add([
        reminder_row(channel=channel, chat_id=chat_id, language=language,
                     reminder_id=message.reminder_id, case_id=message.case_id or 0,
                     instead_of=name)
        for message in messages
        if message.reminder_id is not None and "instead_of" not in message.payload
        for channel, chat_id, language in coordinators
        if (channel, chat_id) != (message.channel, message.chat_id)], now)


async def blocked_the_bot(db: Database, channel: str, channel_user_id: str, *,
                          now: datetime) -> None:
    """They blocked the bot (LINE tells, with an unfollow): their reminders go to the
    coordinators until they write again."""
    async with db.unit_of_work() as uow:
        user = await uow.users.by_channel_id(channel, channel_user_id)
        if user is not None and user.unreachable_since is None:
            await _mark_unreachable(uow, user, now)
        await uow.commit()


async def _mark_unreachable(repos: Repositories, user: User, now: datetime) -> None:
    await repos.users.set_unreachable(user.id, now)
    await repos.audit.record(at=now, actor_id=None, action="user.unreachable",
                             entity="user", entity_id=user.id)


async def reachable_again(db: Database, user: User) -> None:
    """They wrote to the bot: it can reach them again."""
    async with db.unit_of_work() as uow:
        await uow.users.set_unreachable(user.id, None)
        await uow.commit()


# --- answers and notices that did not get through ----------------------------------------


async def undelivered(db: Database, channel: str, chat_id: str, *, now: datetime) -> None:
    """A message to this chat failed even after retries: tell its user once Telegram takes
    messages again (only people of Panong are told; a stranger's chat has nothing saved)."""
    async with db.unit_of_work() as uow:
        await uow.users.set_undelivered(channel, chat_id, now)
        await uow.commit()


async def owe_word_of_undelivered(db: Database, *, limit: int, tz: tzinfo,
                                  default_language: str, now: datetime) -> int:
    """Owe each person whose answers did not get through word of it, through the outbox,
    which goes on trying until their messenger takes it. How many were owed."""
    from bot.presenters import local_time  # presenters show this module's Overview

    people = await db.read.users.undelivered(limit)
    for user in people:
        assert user.undelivered_since is not None
        t = translator(pick_language(user.language, None, default_language))
        async with db.unit_of_work() as uow:
            await uow.outbox.add([notice_row(Notice(
                channel=user.channel, channel_user_id=user.channel_user_id,
                language=user.language, key="error-undelivered",
                params={"since": local_time(user.undelivered_since, t, tz)}),
                dedup_key=f"undelivered:{user.channel}:{user.channel_user_id}")], now)
            await uow.users.clear_undelivered(user.id, user.undelivered_since)
            await uow.commit()
    return len(people)


# --- what is due, overdue and failed ------------------------------------------------------


class Overview(BaseModel):
    model_config = ConfigDict(frozen=True)

    overdue_count: int
    overdue: list[Reminder]
    due_count: int
    due: list[Reminder]
    failed_count: int
    failed: list[OutboxMessage]
    codes: dict[int, str]  # case id -> code, for the listed reminders


async def overview(db: Database, actor: User | None, *, now: datetime,
                   limit: int = 10) -> Overview:
    """For coordinators (and the command line, `actor` None): reminders overdue (due but
    not sent, in quiet hours or since the bot was down), due in the next 24 hours, and
    messages that could not be delivered."""
    repos = db.read
    if actor is not None:
        require_user(await repos.users.get(actor.id), Role.COORDINATOR)
    epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    overdue_count, overdue = await repos.reminders.pending_between(epoch, now, limit)
    due_count, due = await repos.reminders.pending_between(now, now + timedelta(days=1),
                                                           limit)
    failed_count, failed = await repos.outbox.failed_messages(limit)
    codes = {}
    for case_id in {r.case_id for r in overdue + due}:
        case = await repos.cases.get(case_id)
        if case is not None:
            codes[case_id] = case.code
    return Overview(overdue_count=overdue_count, overdue=overdue, due_count=due_count,
                    due=due, failed_count=failed_count, failed=failed, codes=codes)
