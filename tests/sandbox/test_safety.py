"""The sandbox empties its database at every start and has no login: it must never empty
the real database, nor listen beyond this machine unless told to."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.run import Sandbox, UnsafeSandbox
from tests.conftest import FakeClock, make_settings


def _same_path(production: Path) -> Path:
    return production


def _relative_path(production: Path) -> Path:
    return Path("..") / production.parent.name / production.name


def _symlink(production: Path) -> Path:
    link = production.parent.parent / "sandbox.db"
    link.symlink_to(production)
    return link


def _its_wal(production: Path) -> Path:
    return production.with_name(production.name + "-wal")


@pytest.mark.parametrize("sandbox_path", [_same_path, _relative_path, _symlink, _its_wal])
async def test_the_sandbox_refuses_the_production_database_under_any_name(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch,
    sandbox_path: Callable[[Path], Path]
) -> None:
    production = tmp_path / "live" / "panong.db"
    production.parent.mkdir()
    with sqlite3.connect(production) as conn:
        conn.execute("CREATE TABLE cases (code TEXT)")
        conn.execute("INSERT INTO cases VALUES ('SPK-2568-00042')")
    wal = production.with_name("panong.db-wal")
    wal.write_bytes(b"not yet checkpointed")
    monkeypatch.chdir(production.parent)
    settings = make_settings(tmp_path, telegram_token=None, sandbox_port=0,
                             database_path=production,
                             sandbox_database_path=sandbox_path(production))

    with pytest.raises(UnsafeSandbox, match="would destroy the real data"):
        async with Sandbox(settings, clock=clock):
            pass

    with sqlite3.connect(production) as conn:
        assert conn.execute("SELECT code FROM cases").fetchall() == [("SPK-2568-00042",)]
    assert wal.read_bytes() == b"not yet checkpointed"


async def test_the_sandbox_listens_beyond_loopback_only_when_explicitly_allowed(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path, telegram_token=None, sandbox_port=0,
                             sandbox_host="0.0.0.0", sandbox_database_path=tmp_path / "s.db")
    with pytest.raises(UnsafeSandbox, match="no login"):
        async with Sandbox(settings, clock=clock, seed=False):
            pass
    assert not (tmp_path / "s.db").exists()

    allowed = settings.model_copy(update={"sandbox_allow_remote": True})
    async with Sandbox(allowed, clock=clock, seed=False) as sandbox:
        assert sandbox.remote
        assert sandbox.url.startswith("http://0.0.0.0:")


async def test_a_loopback_sandbox_is_not_remote(tmp_path: Path, clock: FakeClock) -> None:
    settings = make_settings(tmp_path, telegram_token=None, sandbox_port=0,
                             sandbox_host="localhost", sandbox_database_path=tmp_path / "s.db")
    async with Sandbox(settings, clock=clock, seed=False) as sandbox:
        assert not sandbox.remote
