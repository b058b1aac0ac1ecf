"""Shared fixtures: a real temporary database with the real migrations, a clock the test
moves, and users created the way the product creates them (invite, then redeem)."""

from collections.abc import AsyncIterator
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


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


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
