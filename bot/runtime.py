"""What every entry point needs, built once: settings, database, reference data, clock."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.config import Settings
from bot.directory import load_directory
from bot.geography import Geography
from bot.inbox import Inbox, process_locks
from bot.routing import Rule, load_rules
from bot.services import summaries
from bot.services.delivery import Dispatcher
from storage.database import Database
from storage.postgres import PostgresDatabase


def open_database(settings: Settings) -> Database | PostgresDatabase:
    """The backend the settings name, not yet opened: PostgreSQL at `database_url`, else
    the SQLite file at `database_path`."""
    if settings.database_url:
        return PostgresDatabase(settings.database_url, settings.tz,
                                busy_timeout=settings.database_busy_timeout_seconds,
                                pool_size=settings.database_pool_size)
    return Database(settings.database_path, settings.tz,
                    busy_timeout=settings.database_busy_timeout_seconds)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    db: Database | PostgresDatabase
    geography: Geography
    routing: list[Rule] = field(default_factory=list)
    clock: Callable[[], datetime] = field(default=system_clock)
    # Sends what changes owe people; each channel adapter registers its sender with it.
    outbox: Dispatcher = field(init=False)
    # What the webhooks received, handled by whichever process takes its chat; each channel
    # adapter registers its handler with it.
    inbox: Inbox = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Dispatcher(self.db, self.now,
                                 default_language=self.settings.default_language,
                                 in_flight=self.settings.outbox_in_flight,
                                 interval=self.settings.outbox_interval_seconds,
                                 sole_process=self.settings.database_url is None,
                                 lease=timedelta(seconds=self.settings.outbox_lease_seconds))
        self.inbox = Inbox(self.db, self.now, process_locks(self.settings.database_url),
                           in_flight=self.settings.max_concurrent_updates)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today where the deployment is: a child's age and a case's year follow local time."""
        return self.clock().astimezone(self.settings.tz).date()

    @classmethod
    async def start(
        cls, settings: Settings, clock: Callable[[], datetime] = system_clock
    ) -> "Runtime":
        """Open the database, bring its schema and directory up to date."""
        geography = Geography.load(settings.province_code)
        organisations = load_directory(settings.directory_path, geography)
        routing = load_rules(settings.routing_path)
        db = open_database(settings)
        await db.open()
        try:
            await db.migrate()
            async with db.unit_of_work() as uow:
                await uow.organisations.replace_all(organisations)
                await uow.commit()
            await summaries.ensure_tallies(db)
        except BaseException:
            await db.close()
            raise
        return cls(settings=settings, db=db, geography=geography, routing=routing, clock=clock)

    async def close(self) -> None:
        await self.inbox.close()
        await self.db.close()
