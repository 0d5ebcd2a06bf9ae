"""One settings object for the whole service, read from `DOORSTEP_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONNAIRES = PROJECT_ROOT / "questionnaires"
DEFAULT_LOCALES = PROJECT_ROOT / "locales"
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Service configuration. Every field can be set as `DOORSTEP_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///doorstep.db"
    questionnaires_dir: Path = DEFAULT_QUESTIONNAIRES
    locales_dir: Path = DEFAULT_LOCALES
    landlord_name: str = "Doorstep Demo Housing"
    privacy_notice_url: str = "https://example.org/privacy"
    default_language: str = "en"
    welsh_language_landlord: bool = False
    timezone: str = "Europe/London"
    max_reply_attempts: int = Field(default=3, ge=1, le=10)
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    host: str = "127.0.0.1"
    port: int = 8000
    # The URL providers use to reach this service (webhooks are signed against it).
    public_base_url: str = "http://127.0.0.1:8000"

    # SMS through Twilio.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_messaging_service_sid: str = ""
    twilio_from: str = ""
    sms_rate_per_second: float = Field(default=10.0, gt=0)
    sms_default_region: str = "GB"
    sms_gsm7_replacements: bool = True  # curly quotes, dashes, ellipsis -> GSM-7 look-alikes

    # Telegram.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_secret_token: SecretStr = SecretStr("")
    telegram_bot_username: str = ""
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_link_days: int = Field(default=14, ge=1)

    # Web chat.
    webchat_rate_per_minute: int = Field(default=30, ge=1)  # replies per session and per IP

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ValueError(
                "DOORSTEP_SECRET_KEY still has its development value; "
                "set a long random secret before running in production"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
