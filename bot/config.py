"""Settings, read once from the environment or a `.env` file (prefix `PANONG_`)."""

from datetime import timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
LOCALES_DIR = PROJECT_ROOT / "locales"

SUPPORTED_LANGUAGES = ("th", "en")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PANONG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
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
    persistence_interval_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often half-filled wizards are written to the database.",
    )
    max_concurrent_updates: int = Field(default=256, ge=1)
    sandbox_host: str = Field(
        default="127.0.0.1",
        description="Where the sandbox listens. Keep it on loopback: the sandbox has no login.",
    )
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    sandbox_database_path: Path = Field(
        default=DATA_DIR / "sandbox.db",
        description="The sandbox's own database, emptied and re-seeded at each start.",
    )

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def invite_validity(self) -> timedelta:
        return timedelta(days=self.invite_valid_days)
