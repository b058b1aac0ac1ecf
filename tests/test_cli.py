"""The `panong` command, run in-process. `main()` calls asyncio.run itself, so these tests
are plain functions."""

import asyncio
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml

from bot import config
from bot.cli import describe_database, main
from bot.config import DATA_DIR, PROJECT_ROOT
from storage.database import migration_files
from tests.test_imports import ROWS, THAI_HEADER, csv_bytes

INVITE_LINE = re.compile(r"/start (?P<code>[A-Za-z0-9_-]{16})$", re.MULTILINE)


@pytest.fixture
def unconfigured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing configured: no token, no PANONG_ variables, and a project without a .env
    (the returned path, not there yet); the working directory is tmp_path."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("PANONG_"):
            monkeypatch.delenv(name)
    project_env = tmp_path / "project" / ".env"
    monkeypatch.setattr(config, "PROJECT_ENV_FILE", project_env)
    return project_env


@pytest.fixture
def database(unconfigured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing configured but a database in tmp_path that does not exist yet."""
    path = tmp_path / "data" / "panong.db"
    monkeypatch.setenv("PANONG_DATABASE_PATH", str(path))
    return path


def _query(path: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _invite_code(out: str) -> str:
    found = INVITE_LINE.search(out)
    assert found, out
    return found["code"]


def _state(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def test_run_without_a_token_starts_the_sandbox_and_stops_on_sigterm(
    unconfigured: Path, tmp_path: Path
) -> None:
    sandbox_db = tmp_path / "data" / "sandbox.db"
    no_settings = tmp_path / "empty.env"  # not the project's own .env, whatever it holds
    no_settings.write_text("", encoding="utf-8")
    real_database = _state(DATA_DIR / "panong.db")
    env = {**os.environ, "PANONG_SANDBOX_PORT": "0", "PANONG_ENV_FILE": str(no_settings),
           "PANONG_SANDBOX_DATABASE_PATH": str(sandbox_db)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=PROJECT_ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    try:
        assert process.stdout is not None
        banner = ""
        while (line := process.stdout.readline()) and "Open http" not in line:
            banner += line
        address = re.search(r"Open (http://127\.0\.0\.1:\d+) in a browser", line)
        assert address, banner + line
        with urllib.request.urlopen(address[1] + "/sandbox/api/state", timeout=10) as answer:
            state = json.load(answer)
        assert state["bot"]["username"] == "panong_sandbox_bot"
        assert len(state["people"]) >= 8
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
        process.wait()
    assert sandbox_db.exists()
    assert _state(DATA_DIR / "panong.db") == real_database  # the real database is untouched


def test_run_without_a_token_explains_a_port_in_use(
    unconfigured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("PANONG_SANDBOX_PORT", str(taken.getsockname()[1]))
        monkeypatch.setenv("PANONG_SANDBOX_DATABASE_PATH", str(tmp_path / "s.db"))
        assert main(["run"]) == 2
    assert "PANONG_SANDBOX_PORT" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "", "192.0.2.1"])
def test_run_refuses_a_sandbox_beyond_loopback_without_the_explicit_setting(
    unconfigured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], host: str
) -> None:
    sandbox_db = tmp_path / "sandbox.db"
    sandbox_db.write_bytes(b"yesterday's demo")
    monkeypatch.setenv("PANONG_SANDBOX_HOST", host)
    monkeypatch.setenv("PANONG_SANDBOX_PORT", "0")
    monkeypatch.setenv("PANONG_SANDBOX_DATABASE_PATH", str(sandbox_db))

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "no login" in err and "PANONG_SANDBOX_ALLOW_REMOTE=true" in err
    assert sandbox_db.read_bytes() == b"yesterday's demo"  # nothing was started or emptied


def test_run_with_settings_for_the_real_bot_but_no_token_does_not_start_the_sandbox(
    unconfigured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file = tmp_path / "production.env"
    settings_file.write_text(f"PANONG_DATABASE_PATH={tmp_path / 'live.db'}\n"
                             "PANONG_SANDBOX_PORT=0\n", encoding="utf-8")
    monkeypatch.setenv("PANONG_ENV_FILE", str(settings_file))
    monkeypatch.setenv("PANONG_SANDBOX_DATABASE_PATH", str(tmp_path / "sandbox.db"))

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "PANONG_TELEGRAM_TOKEN is not set" in err
    assert f"{settings_file} sets PANONG_DATABASE_PATH" in err
    assert not (tmp_path / "sandbox.db").exists() and not (tmp_path / "live.db").exists()


def test_run_with_a_production_setting_in_the_environment_but_no_token_is_refused(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_SANDBOX_DATABASE_PATH", str(tmp_path / "sandbox.db"))

    assert main(["run"]) == 2

    assert f"PANONG_DATABASE_PATH is {database}" in capsys.readouterr().err
    assert not (tmp_path / "sandbox.db").exists()


def test_a_missing_file_named_by_panong_env_file_is_reported(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_ENV_FILE", str(tmp_path / "nowhere.env"))

    assert main(["migrate"]) == 2

    assert f"PANONG_ENV_FILE names {tmp_path / 'nowhere.env'}" in capsys.readouterr().err
    assert not database.exists()


def test_the_project_dot_env_is_read_from_any_working_directory_and_the_folders_is_not(
    unconfigured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    unconfigured.parent.mkdir()
    unconfigured.write_text(f"PANONG_DATABASE_PATH={tmp_path / 'live.db'}\n"
                            "PANONG_BOT_USERNAME=project_bot\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("PANONG_BOT_USERNAME=stray_bot\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)

    assert main(["invite", "--role", "coordinator"]) == 0

    assert "https://t.me/project_bot?start=" in capsys.readouterr().out
    assert (tmp_path / "live.db").exists()


def test_a_bad_setting_in_the_settings_file_is_reported(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file = tmp_path / "panong.env"
    settings_file.write_text("PANONG_INVITE_VALID_DAYS=0\n", encoding="utf-8")
    monkeypatch.setenv("PANONG_ENV_FILE", str(settings_file))

    assert main(["migrate"]) == 2

    err = capsys.readouterr().err
    assert "Configuration error" in err
    assert "invite_valid_days" in err
    assert not database.exists()


def test_migrate_creates_the_database(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0

    assert "is up to date" in capsys.readouterr().out
    assert database.exists()
    assert _query(database, "SELECT version, name FROM schema_migrations")[0] == (1, "initial")
    assert _query(database, "SELECT count(*) FROM organisations WHERE active = 1") == [(22,)]
    assert main(["migrate"]) == 0


def test_invite_a_coordinator_prints_the_start_command(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--role", "coordinator"]) == 0

    out = capsys.readouterr().out
    code = _invite_code(out)
    assert "PANONG_BOT_USERNAME" in out  # no link without the bot's username
    assert "https://t.me/" not in out
    assert _query(database, "SELECT role, organisation_id, created_by, used_by FROM invites"
                  " WHERE code = ?", code) == [("coordinator", "peo_samutprakan", None, None)]


def test_invite_prints_a_link_when_the_bot_username_is_known(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_BOT_USERNAME", "panong_test_bot")

    assert main(["invite", "--role", "coordinator"]) == 0

    out = capsys.readouterr().out
    code = _invite_code(out)
    assert f"https://t.me/panong_test_bot?start={code}" in out
    assert _query(database, "SELECT count(*) FROM invites WHERE code = ?", code) == [(1,)]


def test_invite_a_teacher_for_a_school(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--role", "teacher", "--organisation", "school_wat_phraek_sa"]) == 0

    code = _invite_code(capsys.readouterr().out)
    assert _query(database, "SELECT role, organisation_id FROM invites WHERE code = ?",
                  code) == [("teacher", "school_wat_phraek_sa")]


def test_invite_a_teacher_without_an_organisation_is_refused(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--role", "teacher"]) == 2

    captured = capsys.readouterr()
    assert "--organisation is required" in captured.err
    assert "/start" not in captured.out
    assert _query(database, "SELECT count(*) FROM invites") == [(0,)]


@pytest.mark.parametrize("organisation", ["peo_samutprakan", "no_such_unit"])
def test_invite_a_teacher_for_an_organisation_teachers_cannot_belong_to_is_refused(
    database: Path, capsys: pytest.CaptureFixture[str], organisation: str
) -> None:
    assert main(["invite", "--role", "teacher", "--organisation", organisation]) == 2

    captured = capsys.readouterr()
    assert repr(organisation) in captured.err
    assert "/start" not in captured.out
    assert _query(database, "SELECT count(*) FROM invites") == [(0,)]


def test_an_unknown_role_is_refused_by_the_argument_parser(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["invite", "--role", "principal"])

    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_backup_copies_the_database_with_its_invites(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invite", "--role", "coordinator"]) == 0
    assert main(["invite", "--role", "teacher", "--organisation", "dole_d1103"]) == 0
    target = tmp_path / "backups" / "2025-11-24" / "panong.db"

    assert main(["backup", str(target)]) == 0

    assert f"to {target}" in capsys.readouterr().out
    invites = "SELECT code, role, organisation_id, expires_at FROM invites ORDER BY code"
    assert _query(target, invites) == _query(database, invites)
    assert len(_query(target, invites)) == 2
    assert not target.with_name("panong.db.partial").exists()


def test_backup_of_a_database_that_does_not_exist_fails_cleanly(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backups" / "panong.db"

    assert main(["backup", str(target)]) == 2

    assert "Not found" in capsys.readouterr().err
    assert not target.exists()


def _directory_copy(tmp_path: Path, name: str, change: Callable[[dict], object]) -> Path:
    directory = yaml.safe_load((DATA_DIR / "directory.yaml").read_text(encoding="utf-8"))
    change(directory)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(directory, allow_unicode=True), encoding="utf-8")
    return path


def test_a_bad_directory_file_is_reported_not_raised(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    path = _directory_copy(tmp_path, "directory.yaml",
                           lambda directory: directory["units"][0]["districts"].append("1199"))
    monkeypatch.setenv("PANONG_DIRECTORY_PATH", str(path))

    assert main(["migrate"]) == 2

    err = capsys.readouterr().err
    assert "The directory file cannot be used" in err
    assert "1199" in err


def test_a_directory_whose_parents_form_a_cycle_is_reported_not_raised(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    def make_cycle(directory: dict) -> None:
        for unit in directory["units"]:
            if unit["id"] == "spp1_samutprakan":
                unit["parent"] = "school_wat_phraek_sa"

    path = _directory_copy(tmp_path, "directory.yaml", make_cycle)
    monkeypatch.setenv("PANONG_DIRECTORY_PATH", str(path))

    assert main(["migrate"]) == 2

    assert "The directory file cannot be used" in capsys.readouterr().err


def test_directory_load_installs_a_good_file_and_refuses_a_bad_one(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    installed = _directory_copy(tmp_path, "installed.yaml", lambda d: None)
    monkeypatch.setenv("PANONG_DIRECTORY_PATH", str(installed))
    assert main(["migrate"]) == 0

    def add_school(directory: dict) -> None:
        directory["units"].append({
            "id": "school_wat_mai", "kind": "SCHOOL", "name_th": "โรงเรียนวัดใหม่",
            "name_en": "Wat Mai School", "short_th": "ร.ร.วัดใหม่", "short_en": "Wat Mai",
            "parent": "spp1_samutprakan", "districts": ["1101"]})

    new = _directory_copy(tmp_path, "new.yaml", add_school)
    assert main(["directory", "load", str(new)]) == 0
    assert "Loaded 23 units" in capsys.readouterr().out
    units = "SELECT id FROM organisations WHERE active = 1 ORDER BY id"
    assert ("school_wat_mai",) in _query(database, units)
    assert installed.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")
    assert _query(database, "SELECT action, entity_id FROM audit_log"
                            " WHERE action = 'directory.loaded'") == [("directory.loaded",
                                                                     "new.yaml")]

    def break_ages(directory: dict) -> None:
        directory["units"][1]["min_age"] = 16
        directory["units"][1]["max_age"] = 6

    before = _query(database, units)
    bad = _directory_copy(tmp_path, "bad.yaml", break_ages)
    assert main(["directory", "load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "spp1_samutprakan" in err and "min_age is above max_age" in err
    assert _query(database, units) == before
    assert installed.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")


def test_a_bad_routing_file_is_reported_not_raised(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    routing = tmp_path / "routing.yaml"
    routing.write_text("rules:\n- need: HEALTH\n  to: [PEO]\n", encoding="utf-8")
    monkeypatch.setenv("PANONG_ROUTING_PATH", str(routing))

    assert main(["migrate"]) == 2

    assert "The routing file cannot be used" in capsys.readouterr().err
    assert not database.exists()


def test_reminders_lists_what_is_overdue_in_plain_text(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    conn = sqlite3.connect(database)
    try:  # one case and a reminder long overdue (the bot was down), written as the bot would
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("INSERT INTO cases (id, code, child_id, teacher_id, organisation_id,"
                     " status, district_code, found, consent, education_wish, submission_id,"
                     " created_at, updated_at) VALUES (1, 'SPK-2568-00042', 1, 1,"
                     " 'school_wat_phraek_sa', 'referred', '1101', 1, 'given', 'school', 's1',"
                     " '2025-11-24T03:00:00+00:00', '2025-11-24T03:00:00+00:00')")
        conn.execute("INSERT INTO reminders (kind, case_id, due_at, status, created_at,"
                     " updated_at) VALUES ('follow_up', 1, '2025-11-25T02:00:00+00:00',"
                     " 'pending', '2025-11-24T03:00:00+00:00', '2025-11-24T03:00:00+00:00')")
        conn.commit()
    finally:
        conn.close()
    capsys.readouterr()

    assert main(["reminders"]) == 0

    out = capsys.readouterr().out
    assert "<b>" not in out and "<code>" not in out
    assert re.search(r"เลยกำหนด.*: 1", out)  # overdue: 1 (the default language is Thai)
    assert "25 พ.ย. 2568 09:00 · SPK-2568-00042" in out


def test_reminders_shows_the_months_line_pushes_against_the_budget(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PANONG_LINE_CHANNEL_SECRET", "secret")
    monkeypatch.setenv("PANONG_LINE_CHANNEL_ACCESS_TOKEN", "token")
    monkeypatch.setenv("PANONG_LINE_PUSH_BUDGET", "300")
    monkeypatch.setenv("PANONG_DEFAULT_LANGUAGE", "en")
    assert main(["migrate"]) == 0
    month = datetime.now(ZoneInfo("Asia/Bangkok")).strftime("%Y-%m")
    conn = sqlite3.connect(database)
    try:
        conn.execute("INSERT INTO channel_usage (channel, month, pushes) VALUES ('line', ?, 42)",
                     (month,))
        conn.commit()
    finally:
        conn.close()
    capsys.readouterr()

    assert main(["reminders"]) == 0

    assert f"LINE pushes in {month}: 42 of 300 (258 left)." in capsys.readouterr().out


def test_report_prints_the_summary_as_text_or_json(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()

    assert main(["report", "--period", "all"]) == 0
    text = capsys.readouterr().out
    assert "สรุป: ทั้งจังหวัด" in text and "<b>" not in text  # the province, in Thai

    assert main(["report", "--format", "json", "--scope", "district:1103"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["scope"] == {"kind": "district", "key": "1103"}
    assert summary["total"] == 0 and summary["period"] == "fy"

    assert main(["report", "--scope", "district"]) == 2
    assert "give a key" in capsys.readouterr().err

    workbook = database.parent / "report.xlsx"
    assert main(["report", "--format", "xlsx", "--output", str(workbook)]) == 0
    assert "0 cases" in capsys.readouterr().out
    assert openpyxl.load_workbook(workbook, read_only=True).sheetnames[-1] == "รายการเคส"


def test_import_reads_a_list_and_a_second_run_adds_nothing(
    database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "obec.csv"
    listed.write_bytes(csv_bytes(THAI_HEADER, ROWS))

    assert main(["import", str(listed)]) == 0
    first = capsys.readouterr().out
    assert "เพิ่มใหม่: 2" in first and "line 5 (OBEC-004)" in first  # added: 2
    assert main(["import", str(listed)]) == 0
    assert "เพิ่มใหม่: 0 · มีอยู่แล้ว: 2" in capsys.readouterr().out  # added 0, known 2
    assert _query(database, "SELECT count(*) FROM leads") == [(2,)]

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["import", str(empty)]) == 2
    assert "ไฟล์ว่างเปล่า" in capsys.readouterr().err  # the file is empty


# --- on PostgreSQL (PANONG_DATABASE_URL) --------------------------------------------------

ON_POSTGRESQL = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def postgresql(database: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """PANONG_DATABASE_URL set to a fresh PostgreSQL database, with a password in it that
    nothing may print (the test server trusts its users, so it is not checked)."""
    url = database_url.replace("://", "://panong:s3cret-pw@", 1) \
        if "@" not in database_url else database_url.replace("@", ":s3cret-pw@", 1)
    monkeypatch.setenv("PANONG_DATABASE_URL", url)
    return url


def _pg_query(url: str, sql: str) -> list[tuple]:

    import asyncpg

    async def run() -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(run())


@ON_POSTGRESQL
def test_migrate_on_postgresql_names_the_database_but_not_the_password(
    postgresql: str, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0

    out = capsys.readouterr().out
    name = postgresql.rsplit("/", 1)[1]
    assert f"PostgreSQL database {name} on 127.0.0.1:" in out and "is up to date" in out
    assert "s3cret" not in out
    assert not database.exists()  # the SQLite file is not made beside it
    assert _pg_query(postgresql, "SELECT count(*) FROM organisations WHERE active = 1") == [
        (22,)]
    assert main(["migrate"]) == 0  # a second run applies nothing
    assert _pg_query(postgresql, "SELECT version FROM schema_migrations ORDER BY version") == [
        (number,) for number, _, _ in migration_files("postgresql")]


@pytest.mark.parametrize(("url", "place"), [
    ("postgresql://panong:pw@db.example:6543/zero", "zero on db.example:6543"),
    ("postgresql://panong@localhost/zero", "zero on localhost:5432"),
    ("postgresql:///zero?host=/run/postgresql", "zero on /run/postgresql:5432"),
    ("postgres://panong:pw@10.0.0.5", "panong on 10.0.0.5:5432"),  # libpq: the user's name
])
def test_a_postgresql_url_is_described_without_its_password(url: str, place: str) -> None:
    settings = config.Settings(_env_file=None, database_url=url)

    assert describe_database(settings) == f"PostgreSQL database {place}"


@ON_POSTGRESQL
def test_backup_on_postgresql_points_to_pg_dump(
    postgresql: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["backup", str(tmp_path / "copy.db")]) == 2

    err = capsys.readouterr().err
    assert "pg_dump" in err and "docs/deployment.md" in err and "s3cret" not in err
    assert not (tmp_path / "copy.db").exists()


@ON_POSTGRESQL
def test_the_other_commands_work_on_postgresql(
    postgresql: str, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PANONG_DIRECTORY_PATH",
                       str(_directory_copy(tmp_path, "installed.yaml", lambda d: None)))
    assert main(["invite", "--role", "coordinator"]) == 0
    code = _invite_code(capsys.readouterr().out)
    listed = tmp_path / "obec.csv"
    listed.write_bytes(csv_bytes(THAI_HEADER, ROWS))
    assert main(["import", str(listed)]) == 0
    assert "เพิ่มใหม่: 2" in capsys.readouterr().out  # added: 2

    def add_school(directory: dict) -> None:
        directory["units"].append({
            "id": "school_wat_mai", "kind": "SCHOOL", "name_th": "โรงเรียนวัดใหม่",
            "name_en": "Wat Mai School", "short_th": "ร.ร.วัดใหม่", "short_en": "Wat Mai",
            "parent": "spp1_samutprakan", "districts": ["1101"]})

    assert main(["directory", "load", str(_directory_copy(tmp_path, "new.yaml",
                                                          add_school))]) == 0
    assert "Loaded 23 units" in capsys.readouterr().out
    assert main(["reminders"]) == 0
    assert re.search(r"เลยกำหนด.*: 0", capsys.readouterr().out)  # overdue: 0
    assert main(["report", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0

    assert _pg_query(postgresql, "SELECT code, role FROM invites") == [(code, "coordinator")]
    assert _pg_query(postgresql, "SELECT count(*) FROM leads") == [(2,)]
    assert _pg_query(postgresql, "SELECT entity_id FROM audit_log"
                                 " WHERE action = 'directory.loaded'") == [("new.yaml",)]
    assert ("school_wat_mai",) in _pg_query(postgresql, "SELECT id FROM organisations")
    assert not database.exists()
