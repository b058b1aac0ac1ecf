"""Settings, read once from the environment or a `.env` file (prefix `PANONG_`)."""

import os
import re
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dotenv import dotenv_values
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.schedule import ReminderPolicy

if TYPE_CHECKING:
    from bot.import_process import ProcessLimits
    from bot.imports import Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
LOCALES_DIR = PROJECT_ROOT / "locales"
# Beside the project, not in the working directory: a bot started from another folder (a
# service manager, cron, another shell) must read the same settings.
PROJECT_ENV_FILE = PROJECT_ROOT / ".env"
ENV_FILE_VARIABLE = "PANONG_ENV_FILE"

SUPPORTED_LANGUAGES = ("th", "en")

# Settings only the real bot reads: the sandbox replaces each with its own.
PRODUCTION_ONLY = ("bot_username", "base_url", "base_file_url", "database_path",
                   "database_url")


class MissingEnvFile(Exception):
    def __init__(self, path: Path) -> None:
        super().__init__(f"{ENV_FILE_VARIABLE} names {path}, which does not exist")
        self.path = path


class Settings(BaseSettings):
    # No env_file here: `load_settings` says which one (see `env_file`), and tests pass none.
    model_config = SettingsConfigDict(
        env_prefix="PANONG_", env_file=None, env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = Field(
        default=None, description="Bot token from @BotFather. Without it there is no bot to run."
    )
    bot_username: str | None = Field(
        default=None,
        description="The bot's @username, for invite links; learnt from Telegram at start-up "
        "when not set.",
    )
    base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL: change it for a self-hosted Bot API server, Telegram's "
        "test environment or the local sandbox.",
    )
    base_file_url: str = "https://api.telegram.org/file/bot"
    database_path: Path = DATA_DIR / "panong.db"
    database_url: str | None = Field(
        default=None,
        description="postgresql://user:password@host:port/name to keep everything in "
        "PostgreSQL (a deployment past one machine, several bot processes); unset, the "
        "SQLite file at database_path.")
    database_pool_size: int = Field(
        default=10, ge=1, le=200,
        description="PostgreSQL connections each bot process keeps open.")
    directory_path: Path = DATA_DIR / "directory.yaml"
    routing_path: Path = Field(
        default=DATA_DIR / "routing.yaml",
        description="Routing rules: which unit type each support need goes to.",
    )
    timezone: str = "Asia/Bangkok"
    default_language: str = "th"
    province_code: str = Field(
        default="11", description="DOPA code of the province this deployment serves."
    )
    case_code_prefix: str = Field(
        default="SPK", description="Prefix of readable case codes, e.g. SPK-2568-00042."
    )
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    duplicate_reveals_per_day: int = Field(
        default=10, ge=0,
        description="Registrations a day in which a teacher is shown the code, school and "
        "date of a possible duplicate they may not open; after that they are told only "
        "that one exists.")
    persistence_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often work in progress other than registrations (written at each"
        " answer) is written to the database.",
    )
    draft_expiry_days: int = Field(
        default=30, ge=1,
        description="Days a half-filled registration (or other work in progress) may lie"
        " untouched before it is deleted, with the child's data typed into it.")
    database_busy_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How long a write waits for a lock held by another process (a backup, "
        "an administrator's sqlite3) before the user is told to try again.",
    )
    max_concurrent_updates: int = Field(default=256, ge=1)
    telegram_webhook_url: str | None = Field(
        default=None, description="The public HTTPS address Telegram posts updates to "
        "(https://host/telegram/webhook, behind the reverse proxy): set, the bot takes "
        "Telegram's updates by webhook on the webhook server (PANONG_LINE_WEBHOOK_HOST and "
        "_PORT, beside LINE's) instead of polling, and several bot processes may share the "
        "work (`panong run --workers N`, on PostgreSQL). Needs PANONG_TELEGRAM_WEBHOOK_SECRET.")
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, description="The secret Telegram sends with every webhook request "
        "(16 to 256 of A-Z, a-z, 0-9, _ and -): a request without it is refused.")
    telegram_retries: int = Field(
        default=3, ge=0, le=10,
        description="How many times a call Telegram failed (429, 5xx, timeout, dropped "
        "connection) is tried again before the user is told it could not be delivered.")
    telegram_retry_backoff_seconds: float = Field(
        default=1.0, ge=0, description="The first pause before a retry; doubled each time.")
    # LINE (see line/): the bot runs on LINE when both the secret and the token are set.
    line_channel_secret: SecretStr | None = Field(
        default=None, description="The Messaging API channel's secret: every webhook "
        "request's X-Line-Signature is checked with it.")
    line_channel_access_token: SecretStr | None = Field(
        default=None, description="The Messaging API channel's long-lived access token.")
    line_basic_id: str | None = Field(
        default=None, description="The LINE Official Account's basic ID (@ and 8 characters, "
        "in the LINE Official Account Manager): invites then carry a LINE link too.")
    line_webhook_host: str = Field(
        default="127.0.0.1", description="Where the LINE webhook listens (behind the "
        "reverse proxy that terminates HTTPS).")
    line_webhook_port: int = Field(default=8081, ge=0, le=65535)
    line_webhook_path: str = "/line/webhook"
    line_files_path: str = Field(
        default="/line/files", description="Where the LINE webhook's server hands out files "
        "(exports, charts) by a short-lived link: LINE cannot send a document.")
    line_public_url: str | None = Field(
        default=None, description="The bot's public HTTPS address (https://host, no path), "
        "behind the reverse proxy: LINE's webhook URL is it followed by the webhook path "
        "(shown at start-up). Without it, files cannot be offered on LINE.")
    line_download_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a file's link works on LINE; "
        "then the file is deleted.")
    line_api_base_url: str = Field(
        default="https://api.line.me", description="The Messaging API's api host: change it "
        "for a stand-in.")
    line_api_data_base_url: str = Field(
        default="https://api-data.line.me", description="The Messaging API's api-data host "
        "(files people send).")
    line_push_budget: int = Field(
        default=300, ge=0, description="Pushes a month the account may send (the plan's free "
        "messages): past it, notices wait for the person's next message.")
    line_push_warn_at: int = Field(
        default=30, ge=0, description="Pushes left in the month when the coordinators are "
        "told.")
    sandbox_host: str = Field(
        default="127.0.0.1",
        description="Where the sandbox listens. Keep it on loopback: the sandbox has no login.",
    )
    sandbox_allow_remote: bool = Field(
        default=False,
        description="Let the sandbox listen on an address other machines can reach. It has no "
        "login: anyone who reaches it can act as any demo person, coordinator included.",
    )
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    sandbox_database_path: Path = Field(
        default=DATA_DIR / "sandbox.db",
        description="The sandbox's own database, emptied and re-seeded at each start.",
    )

    # Follow-up reminders (see bot/services/reminders.py).
    reminder_unanswered_days: int = Field(
        default=ReminderPolicy.unanswered_days, ge=1,
        description="Working days a referral may wait for an answer before its unit is "
        "reminded.")
    reminder_escalate_days: int = Field(
        default=ReminderPolicy.escalate_days, ge=1,
        description="Days a referral may wait for an answer before the "
        "coordinators are told.")
    reminder_days_by_unit_type: dict[str, tuple[int, int]] = Field(
        default={}, description='Per unit type, the two above as [remind, escalate], e.g. '
        '{"MSDHS": [2, 5]} (JSON).')
    reminder_stalled_days: int = Field(
        default=ReminderPolicy.stalled_days, ge=1,
        description="Days an accepted referral may go without an outcome "
        "before its unit is asked for an update.")
    reminder_question_days: int = Field(
        default=ReminderPolicy.question_days, ge=1,
        description="Days a unit's question may wait for the teacher's answer.")
    reminder_attendance_days: tuple[int, ...] = Field(
        default=ReminderPolicy.attendance_days,
        description="Days after a child is enrolled when the teacher "
        "is asked whether the child still attends.")
    quiet_hours: tuple[int, int] = Field(
        default=ReminderPolicy.quiet_hours,
        description="From and until which hour (local time) reminders wait.")
    quiet_weekends: bool = Field(default=ReminderPolicy.quiet_weekends,
                                 description="Keep reminders for Monday.")
    reminder_interval_seconds: float = Field(
        default=60, gt=0, description="How often due reminders are looked for.")
    reminder_batch: int = Field(default=100, ge=1, le=1000)

    # Delivery of what changes owe people (see bot/services/delivery.py).
    outbox_interval_seconds: float = Field(
        default=5, gt=0,
        description="How often the outbox is looked at when nothing wakes it (a commit "
        "that owes a message wakes it at once): messages waiting to be retried.")
    outbox_in_flight: int = Field(
        default=64, ge=1, le=1000,
        description="Owed messages being sent at once, across chats (each chat in order).")
    outbox_lease_seconds: float = Field(
        default=300, ge=1,
        description="How long an owed message a bot process took stays its to send: when "
        "several processes share the database and one dies, what it had taken goes out "
        "after this. Longer than any send takes.")
    outbox_reserve: int = Field(
        default=3, ge=0, le=20,
        description="Of Telegram's 30 messages a second, how many the outbox leaves free "
        "for answers to people at any moment.")

    # Reading imported lists (see bot/import_process.py).
    import_max_rows: int = Field(
        default=200_000, ge=1,
        description="Lines an imported list may have, blank ones included.")
    import_max_blank_rows: int = Field(
        default=1_000, ge=1,
        description="Blank lines in a row after which a list is taken to have ended.")
    import_max_unpacked_mb: int = Field(
        default=200, ge=1,
        description="The most an XLSX may unpack to, in MB.")
    import_max_ratio: int = Field(
        default=100, ge=1,
        description="The most an XLSX, or any large part of it, may be compressed (unpacked "
        "size over packed size): more is a zip bomb.")
    import_memory_mb: int = Field(
        default=1024, ge=256,
        description="Address space of the process that reads a list, in MB.")
    import_seconds: float = Field(
        default=120, gt=0,
        description="How long reading a list may take before it is refused.")

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}",
                                                  value.get_secret_value()):
            raise ValueError("must be 16 to 256 of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def line_enabled(self) -> bool:
        return self.line_channel_secret is not None \
            and self.line_channel_access_token is not None

    @property
    def telegram_webhook_path(self) -> str:
        """Where the webhook server takes Telegram's updates: the path of the public URL."""
        from urllib.parse import urlsplit

        return urlsplit(self.telegram_webhook_url or "").path or "/telegram/webhook"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def reminder_policy(self) -> ReminderPolicy:
        return ReminderPolicy(
            tz=self.tz, unanswered_days=self.reminder_unanswered_days,
            escalate_days=self.reminder_escalate_days,
            days_by_unit_type=self.reminder_days_by_unit_type,
            stalled_days=self.reminder_stalled_days,
            question_days=self.reminder_question_days,
            attendance_days=self.reminder_attendance_days, quiet_hours=self.quiet_hours,
            quiet_weekends=self.quiet_weekends)

    @property
    def import_limits(self) -> "Limits":
        from bot.imports import Limits  # which imports these settings

        return Limits(max_rows=self.import_max_rows, max_blank_run=self.import_max_blank_rows,
                      max_unpacked_mb=self.import_max_unpacked_mb,
                      max_ratio=self.import_max_ratio)

    @property
    def import_process(self) -> "ProcessLimits":
        from bot.import_process import ProcessLimits

        return ProcessLimits(memory_mb=self.import_memory_mb, seconds=self.import_seconds)

    @property
    def invite_validity(self) -> timedelta:
        return timedelta(days=self.invite_valid_days)

    @property
    def draft_expiry(self) -> timedelta:
        return timedelta(days=self.draft_expiry_days)

def env_file() -> Path | None:
    """The settings file to read: the one PANONG_ENV_FILE names (it must exist), else the
    project's own `.env` when there is one."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.exists():
            raise MissingEnvFile(path)
        return path
    return PROJECT_ENV_FILE if PROJECT_ENV_FILE.is_file() else None


def production_configuration(settings: Settings, path: Path | None) -> list[str]:
    """What says this machine is set up for the real bot rather than for the sandbox: a
    settings file that sets anything but the sandbox's own settings, or a setting only the
    real bot reads changed from its default. Empty when nothing is configured."""
    found = []
    if path is not None:
        names = [name for name in dotenv_values(path)
                 if name.upper().startswith("PANONG_")
                 and not name.upper().startswith("PANONG_SANDBOX_")]
        if names:
            found.append(f"the settings file {path} sets {', '.join(sorted(names))}")
    for name in PRODUCTION_ONLY:
        value, default = getattr(settings, name), Settings.model_fields[name].default
        if isinstance(value, Path) and value.resolve() == default.resolve():
            continue
        if value != default:
            found.append(f"PANONG_{name.upper()} is {value}")
    return found
