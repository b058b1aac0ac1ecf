"""Shared fixtures: a real temporary database with the real migrations, a clock the test
moves, and users created the way the product creates them (invite, then redeem).

The storage, service and end-to-end tests run twice, on SQLite and on PostgreSQL (the
`backend` of the directories in BOTH_BACKENDS); a test about one backend's own mechanism
is marked `sqlite_only` or `postgresql_only` (its twin, where the property matters on
both).

On PostgreSQL each pytest process copies the migrated template once and empties the copy
after each test: a CREATE DATABASE and a DROP per test cost about a second on a loaded
machine (each one forces a checkpoint), the emptying some tens of milliseconds."""

import asyncio
import itertools
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import onboarding

# 10:00 in Bangkok on 24 Nov 2025 (B.E. 2568), a Monday.
START = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"telegram_token": "123456:TEST-TOKEN",
                                 "database_path": tmp_path / "panong.db",
                                 # retries after a failed call without the production pauses
                                 "telegram_retry_backoff_seconds": 0.01, **overrides}
    return Settings(_env_file=None, **values)


# Where each test runs on both backends (by the folder or file its path starts with).
BOTH_BACKENDS = ("tests/storage/", "tests/services/", "tests/handlers/", "tests/line/")
_databases = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about a mechanism of SQLite's own; not run on PostgreSQL")
    config.addinivalue_line(
        "markers", "postgresql_only: about a mechanism of PostgreSQL's own (the twin of a"
        " sqlite_only test, or what SQLite has no need of)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    path = Path(str(metafunc.definition.path)).relative_to(Path(__file__).parents[1])
    marked = metafunc.definition.get_closest_marker
    if "database_url" in metafunc.fixturenames and str(path).startswith(BOTH_BACKENDS):
        if marked("postgresql_only") is not None:
            metafunc.parametrize("backend", ["postgresql"], indirect=True)
        elif marked("sqlite_only") is None:
            metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


def _in_own_loop(work: Callable[[], Awaitable[object]]) -> None:
    """Run `work` to the end in a thread of its own: a fixture may be set up while the
    test's event loop runs."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(work())  # type: ignore[arg-type]
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database migrated once, copied for the tests."""
    from storage.postgres import PostgresDatabase

    name = f"panong_template_{os.getpid()}"
    url = postgres_server.create_database(name)

    async def migrate() -> None:
        async with PostgresDatabase(url) as db:
            await db.migrate()

    _in_own_loop(migrate)
    yield name
    postgres_server.drop_database(name)


class _ReusedDatabase:
    """This process's copy of the template, emptied after each test: every row deleted and
    every sequence restarted, so the next test finds what a fresh copy holds (the migrated
    schema and its record, no rows, ids from 1). If it cannot be emptied (a test left a
    transaction holding a lock), the next test gets a fresh copy instead."""

    def __init__(self, server, template: str) -> None:  # type: ignore[no-untyped-def]
        self.server = server
        self.template = template
        self.names: list[str] = []
        self.url = self._copy()
        self.emptying = self._emptying_sql()

    def _copy(self) -> str:
        self.names.append(f"test_{os.getpid()}_{next(_databases)}")
        return self.server.create_database(self.names[-1], template=self.template)

    def _emptying_sql(self) -> str:
        import asyncpg

        statements: list[str] = []

        async def read_catalog() -> None:
            conn = await asyncpg.connect(self.url)
            try:
                tables = await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    " AND tablename <> 'schema_migrations' ORDER BY tablename")
                sequences = await conn.fetch(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                    " ORDER BY sequencename")
            finally:
                await conn.close()
            # Foreign keys are triggers: off while every row goes, none is left dangling.
            statements.append("SET session_replication_role = replica")
            statements.extend(f"DELETE FROM {row[0]}" for row in tables)
            statements.extend(f"ALTER SEQUENCE {row[0]} RESTART" for row in sequences)
            statements.append("RESET session_replication_role")

        _in_own_loop(read_catalog)
        return "; ".join(statements)

    def empty(self) -> None:
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.url, server_settings={"lock_timeout": "2s"})
            try:
                await conn.execute(self.emptying)
            finally:
                await conn.close()

        try:
            _in_own_loop(run)
        except asyncpg.PostgresError:
            self.url = self._copy()

    def drop(self) -> None:
        for name in self.names:
            self.server.drop_database(name)


@pytest.fixture(scope="session")
def _postgres_database(postgres_server, postgres_template: str  # type: ignore[no-untyped-def]
                       ) -> Iterator[_ReusedDatabase]:
    database = _ReusedDatabase(postgres_server, postgres_template)
    yield database
    database.drop()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None on SQLite (the file in tmp_path); on PostgreSQL the URL of a database as the
    migrations left it."""
    if backend == "sqlite":
        yield None
        return
    database: _ReusedDatabase = request.getfixturevalue("_postgres_database")
    yield database.url
    database.empty()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    runtime = await Runtime.start(settings, clock=clock)
    try:
        yield runtime
    finally:
        await runtime.close()


async def add_user(runtime: Runtime, role: Role, organisation_id: str, channel_user_id: str,
                   name: str = "Test User", inviter: User | None = None,
                   language: str | None = None) -> User:
    issued = await onboarding.create_invite(
        runtime.db, inviter, role=role, organisation_id=organisation_id,
        valid_for=timedelta(days=7), now=runtime.now(),
    )
    joined = await onboarding.redeem_invite(
        runtime.db, code=issued.invite.code, channel="telegram", channel_user_id=channel_user_id,
        display_name=name, language=language, now=runtime.now(),
    )
    return joined.user


@pytest.fixture
async def coordinator(runtime: Runtime) -> User:
    return await add_user(runtime, Role.COORDINATOR, "peo_samutprakan", "9001", "Khun Prasert")


@pytest.fixture
async def teacher(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.TEACHER, "school_wat_phraek_sa", "1001", "Kru Somsri",
                          inviter=coordinator)


@pytest.fixture
async def other_teacher(runtime: Runtime, coordinator: User) -> User:
    return await add_user(runtime, Role.TEACHER, "dole_d1103", "1002", "Kru Anan",
                          inviter=coordinator)


class _ExistingServer:
    """Interim: a server already running at PANONG_TEST_POSTGRES_URL (replaced by the
    throwaway cluster of tests/support/postgres.py)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def _admin(self, sql: str) -> None:
        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.url + "/postgres")
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        _in_own_loop(run)

    def create_database(self, name: str, template: str | None = None) -> str:
        self._admin(f"DROP DATABASE IF EXISTS {name}")
        self._admin(f"CREATE DATABASE {name}"
                    + (f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""))
        return f"{self.url}/{name}"

    def drop_database(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture(scope="session")
def postgres_server() -> _ExistingServer:
    url = os.environ.get("PANONG_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("no PostgreSQL server: set PANONG_TEST_POSTGRES_URL")
    return _ExistingServer(url)
