"""One settings object for the whole service, read from `DOORSTEP_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings_checks import (
    brand_colour_problem,
    logo_problem,
    production_problems,
    smtp_url_problem,
    whatsapp_template_problems,
)

PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent


def shipped_folder(name: str) -> Path:
    """A data folder that ships with Doorstep: inside the package when installed from a wheel
    (setup.py maps it to `bot/_data/<name>`), the repository's own folder in a checkout."""
    packaged = PACKAGE_ROOT / "_data" / name
    return packaged if packaged.is_dir() else PROJECT_ROOT / name


DEFAULT_QUESTIONNAIRES = shipped_folder("questionnaires")
DEFAULT_LOCALES = shipped_folder("locales")
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Service configuration. Every field can be set as `DOORSTEP_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="DOORSTEP_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///doorstep.db"
    questionnaires_dir: Path = DEFAULT_QUESTIONNAIRES
    questionnaire_uploads_save: bool = False  # uploads via the API: memory only unless set
    locales_dir: Path = DEFAULT_LOCALES
    landlord_name: str = "Doorstep Demo Housing"
    privacy_notice_url: str = "https://example.org/privacy"
    # Branding on the web chat and the console's sign-in page.
    brand_colour: str = "#0b4f8a"  # white text on it must reach 4.5:1 contrast
    landlord_logo: Path | None = None  # a local image file
    help_phone: str = ""  # shown as "Need help? Call ..." on every chat page
    default_language: str = "en"
    welsh_language_landlord: bool = False
    timezone: str = "Europe/London"
    max_reply_attempts: int = Field(default=3, ge=1, le=10)
    # Retention: message text is cleared after this many days; the contact details of a
    # tenant nobody has written to or heard from in this long are removed.
    retention_message_days: int = Field(default=365, ge=1)
    retention_contact_days: int = Field(default=1095, ge=1)
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
    # Prices for the campaign estimate: each SMS part, and each message on any channel.
    sms_price_per_part: float = Field(default=0.0, ge=0)
    price_per_message: float = Field(default=0.0, ge=0)
    price_currency: str = Field(default="GBP", min_length=3, max_length=3)

    # WhatsApp through Twilio (same account as SMS). The sender number, and the approved
    # Content templates by purpose and language (JSON), e.g.
    # {"invitation": {"en": "HX...", "cy": "HX..."}, "reminder": {...}, "reopen": {...}}
    whatsapp_from: str = ""
    whatsapp_rate_per_second: float = Field(default=10.0, gt=0)
    whatsapp_templates: dict[str, dict[str, str]] = {}

    # Telegram.
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_secret_token: SecretStr = SecretStr("")
    telegram_bot_username: str = ""
    telegram_rate_per_second: float = Field(default=30.0, gt=0)
    telegram_link_days: int = Field(default=14, ge=1)
    # Bot API endpoint (the token is appended); change it for a self-hosted Bot API server.
    telegram_api_base_url: str = "https://api.telegram.org/bot"

    # Email invitations (a personal web chat link) and the officers' digest, over SMTP:
    # smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465 (empty: off).
    smtp_url: SecretStr = SecretStr("")
    email_from: str = ""  # e.g. "Riverside Homes <surveys@riverside-homes.example>"
    email_unsubscribe_mailbox: str = ""  # List-Unsubscribe mailto (default: the from address)
    email_rate_per_second: float = Field(default=5.0, gt=0)
    email_webhook_token: SecretStr = SecretStr("")  # bearer token for bounce reports
    digest_email_to: list[str] = []  # officers' addresses for the daily case digest

    # Web chat.
    webchat_rate_per_minute: int = Field(default=30, ge=1)  # replies per session and per IP
    # How long before an open conversation closes the page warns and offers more time.
    webchat_expiry_warning_minutes: int = Field(default=10, ge=1, le=1440)

    # Campaigns and dispatch workers.
    campaign_tick_seconds: float = Field(default=30.0, gt=0)  # also how far ahead invites book
    outbox_stale_seconds: float = Field(default=120.0, gt=0)  # a claim older than this is dead

    # Operating it: JSON log lines, who may scrape /metrics, when /ready says "behind".
    log_format: Literal["plain", "json"] = "plain"
    metrics_token: SecretStr = SecretStr("")  # "Authorization: Bearer <token>" opens /metrics
    metrics_networks: list[str] = ["127.0.0.0/8", "::1/128"]  # these scrape without the token
    ready_max_outbox_lag_seconds: float = Field(default=300.0, gt=0)  # oldest due row's age

    # Contact-fatigue guard, shared by campaigns and repair follow-ups.
    contact_max_invitations: int = Field(default=3, ge=1)
    contact_period_days: int = Field(default=30, ge=1)
    # Channels tried after the tenant's preferred and segment-recommended ones (JSON list).
    channel_fallback_order: list[str] = ["sms", "telegram", "webchat"]

    # Post-repair follow-ups. Hours are local to the tenant; days are 0 (Monday) to 6.
    repair_questionnaire: str = "post_repair"
    repair_delay_minutes: int = Field(default=120, ge=0)
    repair_backdate_days: int = Field(default=7, ge=0)
    repair_reminder_hours: int = Field(default=48, ge=1)
    repair_expiry_days: int = Field(default=7, ge=1)
    repair_send_from_hour: int = Field(default=9, ge=0, le=23)
    repair_send_until_hour: int = Field(default=20, ge=1, le=24)
    repair_send_days: list[int] = [0, 1, 2, 3, 4, 5]
    api_max_body_bytes: int = Field(default=1_000_000, ge=1_000)

    # Officer console sign-in: session length, and wrong passwords before a lockout.
    console_session_hours: int = Field(default=12, ge=1, le=720)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lockout_minutes: int = Field(default=15, ge=1)
    # Failed sign-ins from one client address (any accounts) before it must wait.
    login_max_failures_per_address: int = Field(default=20, ge=1, le=10_000)
    login_address_window_minutes: int = Field(default=15, ge=1, le=60)

    # Reports: relevant homes for the TSM required sample (default: tenants in the database)
    # and the fewest respondents a published cell may have before it is suppressed.
    tsm_relevant_homes: int | None = Field(default=None, ge=1)
    report_min_cell: int = Field(default=10, ge=1)
    # Scrubbed example quotes beside free-text themes (off: themes and counts only).
    report_quotes: bool = False
    # Summary of approach: what only the landlord knows (left for them to fill in if empty).
    tsm_sampling: str = ""
    tsm_incentives: str = ""
    tsm_surveyor: str = ""

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_from and self.sms_enabled)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_url.get_secret_value())

    @property
    def sending_channels(self) -> set[str]:
        """Channels this installation can push messages on (web chat is reached by a link)."""
        channels = set()
        if self.sms_enabled and (self.twilio_messaging_service_sid or self.twilio_from):
            channels.add("sms")
        if self.whatsapp_enabled:
            channels.add("whatsapp")
        if self.telegram_enabled:
            channels.add("telegram")
        if self.email_enabled:
            channels.add("email")
        return channels

    @field_validator("brand_colour")
    @classmethod
    def _readable_brand_colour(cls, colour: str) -> str:
        problem = brand_colour_problem(colour)
        if problem:
            raise ValueError(problem)
        return colour.lower()

    @field_validator("smtp_url")
    @classmethod
    def _usable_smtp_url(cls, url: SecretStr) -> SecretStr:
        problem = smtp_url_problem(url.get_secret_value())
        if problem:
            raise ValueError(problem)
        return url

    @field_validator("whatsapp_templates")
    @classmethod
    def _known_templates(cls, templates: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        problems = whatsapp_template_problems(templates)
        if problems:
            raise ValueError(" ".join(problems))
        return templates

    @field_validator("landlord_logo")
    @classmethod
    def _logo_file(cls, path: Path | None) -> Path | None:
        problem = None if path is None else logo_problem(path)
        if problem:
            raise ValueError(problem)
        return path

    @model_validator(mode="after")
    def _email_has_a_sender(self) -> Settings:
        if self.email_enabled and "@" not in self.email_from:
            raise ValueError(
                "DOORSTEP_EMAIL_FROM must be set when DOORSTEP_SMTP_URL is: the address "
                "emails come from, e.g. Riverside Homes <surveys@riverside-homes.example>."
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # Sessions' CSRF tokens, web chat forms and pseudonyms are keyed with the secret key
        # (a weak one can be guessed offline from any of them); webhooks trust the provider
        # secrets; cookies are only marked Secure behind an https public URL.
        if self.environment == "production":
            problems = production_problems(self, DEVELOPMENT_SECRET)
            if problems:
                raise ValueError("\n".join(problems))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def package_version() -> str:
    """The installed package's version, from its metadata (set once, in pyproject.toml)."""
    try:
        return version("doorstep")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"
