"""Shared fixtures: a real temporary database with the real migrations, a clock the test
moves, and users created the way the product creates them (invite, then redeem).

The storage, service and end-to-end tests run twice, on SQLite and on PostgreSQL (the
`backend` of the directories in BOTH_BACKENDS); a test about one backend's own mechanism
is marked `sqlite_only`."""

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.models import Role, User
from bot.runtime import Runtime
from bot.services import onboarding
from tests.support.postgres import PostgresServer

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
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about a mechanism of SQLite's own; not run on PostgreSQL")
    config.stash[POSTGRES_OUTCOME] = PostgresOutcome()


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
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a database migrated once, copied for each test."""
    from storage.postgres import PostgresDatabase

    urls: list[str] = []

    async def make() -> None:
        urls.append(await postgres_server.create_database())
        async with PostgresDatabase(urls[0]) as db:
            await db.migrate()

    _in_own_loop(make)
    yield urls[0]


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None on SQLite (the file in tmp_path); on PostgreSQL a fresh database's URL."""
    if backend == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    urls: list[str] = []

    async def create() -> None:
        urls.append(await server.create_database(template=template))

    _in_own_loop(create)
    yield urls[0]
    _in_own_loop(lambda: server.drop_database(urls[0]))


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


# PostgreSQL (issue 18): a throwaway server, started the first time a test asks for one. It
# never passes silently: when it cannot start, the tests that need it error with the reason
# (or, with PANONG_TEST_POSTGRES=skip, are skipped), and the summary always says which.
SKIP_POSTGRES = os.environ.get("PANONG_TEST_POSTGRES") == "skip"


@dataclass
class PostgresOutcome:
    version: str | None = None
    failure: str | None = None
    ran: int = 0
    errored: int = 0
    skipped: int = 0


POSTGRES_OUTCOME = pytest.StashKey[PostgresOutcome]()


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    outcome = request.config.stash[POSTGRES_OUTCOME]
    try:
        server = PostgresServer.start()
    except Exception as error:
        outcome.failure = str(error) or type(error).__name__
        if SKIP_POSTGRES:
            pytest.skip(f"PostgreSQL could not be started ({outcome.failure}); skipped "
                        "because PANONG_TEST_POSTGRES=skip")
        raise
    outcome.version = server.version
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def postgres_database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a new empty database, dropped after the test."""
    url = await postgres_server.create_database()
    try:
        yield url
    finally:
        await postgres_server.drop_database(url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report = yield
    if _on_postgres(item):
        outcome = item.config.stash[POSTGRES_OUTCOME]
        if report.when == "setup" and report.failed:
            outcome.errored += 1
        elif report.when == "setup" and report.skipped and outcome.failure:
            outcome.skipped += 1
        elif report.when == "call":
            outcome.ran += 1
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcome = terminalreporter.config.stash[POSTGRES_OUTCOME]
    if outcome.failure is None:
        if outcome.version is None:
            terminalreporter.write_line("PostgreSQL: no test asked for it")
        else:
            terminalreporter.write_line(
                f"PostgreSQL {outcome.version}: {_tests(outcome.ran)} ran against it")
        return
    said = f"PostgreSQL could NOT be started ({outcome.failure})"
    if outcome.skipped:
        terminalreporter.write_sep(
            "!", f"{said}: {_tests(outcome.skipped)} SKIPPED (PANONG_TEST_POSTGRES=skip)",
            red=True, bold=True)
    else:
        terminalreporter.write_sep("!", f"{said}: {_tests(outcome.errored)} errored",
                                   red=True, bold=True)


def _on_postgres(item: pytest.Item) -> bool:
    """Whether the test asks for the server, itself or through `backend`."""
    callspec = getattr(item, "callspec", None)
    return ("postgres_server" in getattr(item, "fixturenames", ())
            or (callspec is not None and callspec.params.get("backend") == "postgresql"))


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"
