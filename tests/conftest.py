"""Shared fixtures: a real temporary database with the real migrations, a clock the test
moves, and users created the way the product creates them (invite, then redeem).

The storage, service and end-to-end tests run twice, on SQLite and on PostgreSQL (the
`backend` of the directories in BOTH_BACKENDS); a test about one backend's own mechanism
is marked `sqlite_only`."""

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


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    path = Path(str(metafunc.definition.path)).relative_to(Path(__file__).parents[1])
    chosen = any("backend" in str(mark.args[0])
                 for mark in metafunc.definition.iter_markers("parametrize"))
    if ("database_url" in metafunc.fixturenames and not chosen
            and str(path).startswith(BOTH_BACKENDS)
            and metafunc.definition.get_closest_marker("sqlite_only") is None):
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
def postgres_template(postgres_server) -> str:  # type: ignore[no-untyped-def]
    """A database migrated once, copied for each test."""
    from storage.postgres import PostgresDatabase

    name = f"panong_template_{os.getpid()}"
    url = postgres_server.create_database(name)

    async def migrate() -> None:
        async with PostgresDatabase(url) as db:
            await db.migrate()

    _in_own_loop(migrate)
    return name


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None on SQLite (the file in tmp_path); on PostgreSQL a fresh database's URL."""
    if backend == "sqlite":
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = f"test_{os.getpid()}_{next(_databases)}"
    url = server.create_database(name, template=template)
    yield url
    server.drop_database(name)


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
