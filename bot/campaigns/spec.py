"""What an officer writes to create a campaign (CLI options or a YAML/JSON file), checked.

Every problem becomes a sentence naming the field, never a traceback.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.campaigns.sampling import BadSample
from bot.fields.errors import DATE_TIME_EXAMPLE, Named, sentences
from bot.fields.iso import IsoDateTime
from bot.outreach.quiet_hours import BadQuietHours, QuietHours, parse_days, zone

CHANNELS = ("sms", "whatsapp", "telegram", "webchat", "email")  # email: a web chat link by email
MAX_REMINDERS = 5


class CampaignSpecError(ValueError):
    """The campaign cannot be created as written; `problems` are sentences."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _as_list(value: Any) -> Any:
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


class Audience(BaseModel):
    """Who is in the campaign: every filter given must match (values within one filter: any)."""

    model_config = ConfigDict(extra="forbid")

    attributes: dict[str, list[Any]] = Field(default_factory=dict)
    area: list[str] | None = None
    estate: list[str] | None = None
    tenure: list[str] | None = None
    segment: list[str] | None = None
    tenant_refs: list[str] | None = None
    not_surveyed_days: int | None = Field(default=None, ge=1)

    _lists = field_validator("area", "estate", "tenure", "segment", "tenant_refs", mode="before")(
        _as_list
    )

    @field_validator("attributes", mode="before")
    @classmethod
    def _attribute_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: _as_list(wanted) for name, wanted in value.items()}
        return value

    def filters(self) -> dict[str, list[Any]]:
        """Profile attribute filters, the named ones included."""
        found = dict(self.attributes)
        for name in ("area", "estate", "tenure"):
            wanted = getattr(self, name)
            if wanted:
                found[name] = wanted
        return found


class Sample(BaseModel):
    """A subset of the audience: a fixed size or one computed from a margin of error."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["random", "stratified"] = "random"
    size: int | None = Field(default=None, ge=1)
    margin: float | Literal["tsm"] | None = None
    confidence: float = Field(default=0.95, gt=0, lt=1)
    response_rate: float = Field(default=1.0, gt=0, le=1)
    by: str | None = None  # the profile attribute a stratified sample is spread over

    @model_validator(mode="after")
    def _one_size(self) -> Sample:
        if (self.size is None) == (self.margin is None):
            raise ValueError("give either a size or a margin of error (e.g. 0.04, or tsm)")
        if isinstance(self.margin, float) and not 0 < self.margin < 1:
            raise ValueError("the margin of error is a fraction such as 0.04 for ±4%")
        if self.method == "stratified" and not self.by:
            raise ValueError("a stratified sample needs `by`, the attribute to spread it over")
        return self


class CampaignSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    questionnaire: str = Field(min_length=1, max_length=64)
    audience: Audience = Field(default_factory=Audience)
    sample: Sample | None = None
    # Fallback order after the tenant's preferred and segment-recommended channels.
    channels: list[str] | None = None
    use_preferences: bool = True
    starts_at: IsoDateTime
    ends_at: IsoDateTime | None = None
    days: list[int] | list[str] | str = "mon-sat"
    hours: str = "09:00-20:00"
    timezone: str = "Europe/London"
    send_rate_per_minute: dict[str, float] = Field(default_factory=dict)
    reminders: int = Field(default=1, ge=0, le=MAX_REMINDERS)
    reminder_interval_hours: int = Field(default=72, ge=1)
    session_expiry_days: int = Field(default=14, ge=1, le=365)
    seed: int = 0

    _channel_list = field_validator("channels", mode="before")(_as_list)

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in CHANNELS:
                raise ValueError(f"{name!r} is not a channel; use {', '.join(CHANNELS)}")
        return value

    @field_validator("send_rate_per_minute")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        for name, rate in value.items():
            if name not in CHANNELS:
                raise ValueError(f"{name!r} is not a channel; use {', '.join(CHANNELS)}")
            if rate < 0:
                raise ValueError(f"the rate for {name} cannot be negative (0 means no limit)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)  # BadQuietHours is a ValueError: reported beside every other field
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        start, separator, end = value.partition("-")
        if not separator:
            raise ValueError(f"{value!r} is not a range of hours like 09:00-20:00")
        QuietHours.parse(start, end, "mon")  # the days are checked on their own
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int] | list[str] | str) -> list[int] | list[str] | str:
        parse_days(value)
        return value

    @model_validator(mode="after")
    def _times(self) -> CampaignSpec:
        tz = zone(self.timezone)
        # A time written without a zone is read on the campaign's own clock.
        if self.starts_at.tzinfo is None:
            self.starts_at = self.starts_at.replace(tzinfo=tz)
        if self.ends_at is None:
            self.ends_at = self.starts_at + datetime.timedelta(days=28)
        elif self.ends_at.tzinfo is None:
            self.ends_at = self.ends_at.replace(tzinfo=tz)
        self.starts_at = self.starts_at.astimezone(datetime.UTC)
        self.ends_at = self.ends_at.astimezone(datetime.UTC)
        if self.ends_at <= self.starts_at:
            raise ValueError("the campaign must end after it starts")
        return self

    def quiet_hours(self) -> QuietHours:
        start, separator, end = self.hours.partition("-")
        if not separator:
            raise BadQuietHours(f"{self.hours!r} is not a range of hours like 09:00-20:00.")
        return QuietHours.parse(start, end, self.days)

    def window(self) -> tuple[str, str]:
        start, _, end = self.hours.partition("-")
        return start.strip(), end.strip()

    def day_numbers(self) -> list[int]:
        return sorted(self.quiet_hours().days)


_WHEN = f"{DATE_TIME_EXAMPLE} (a time without a zone is read in the campaign's timezone)"
FIELDS = {
    "name": Named("name"),
    "questionnaire": Named("questionnaire"),
    "starts_at": Named("start time", _WHEN),
    "ends_at": Named("end time", _WHEN),
    "days": Named("sending days", "mon-fri or mon,wed,fri"),
    "hours": Named("sending hours", "09:00-20:00"),
    "timezone": Named("timezone", "Europe/London"),
    "channels": Named("channels", "sms, whatsapp, telegram"),
    "send_rate_per_minute": Named("send rate per minute"),
    "reminders": Named("number of reminders", "1"),
    "reminder_interval_hours": Named("hours between reminders", "72"),
    "session_expiry_days": Named("days a conversation stays open", "14"),
    "seed": Named("random seed", "7"),
    "sample.size": Named("sample size", "400"),
    "sample.margin": Named("margin of error", "0.04"),
    "sample.confidence": Named("confidence level", "0.95"),
    "sample.response_rate": Named("expected response rate", "0.3"),
    "audience.not_surveyed_days": Named("days since the last survey", "90"),
}


def _problems(error: ValidationError) -> list[str]:
    return sentences(error, FIELDS, "campaign")


def parse_spec(data: dict[str, Any]) -> CampaignSpec:
    try:
        return CampaignSpec.model_validate(data)
    except ValidationError as error:
        raise CampaignSpecError(_problems(error)) from None
    except (BadQuietHours, BadSample) as error:
        raise CampaignSpecError([str(error)]) from None
    except OverflowError:  # a date near year 1 or 9999 moved to another zone
        raise CampaignSpecError(
            ["The start or end time is too far in the past or future."]
        ) from None


def read_spec_file(path: Path) -> dict[str, Any]:
    """A campaign file (YAML or JSON) as a mapping; problems as sentences."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CampaignSpecError([f"{path}: cannot be read ({error.strerror})."]) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        if isinstance(error, json.JSONDecodeError):
            where = f" at line {error.lineno}"
        raise CampaignSpecError([f"{path}: is not valid {path.suffix or 'YAML'}{where}."]) from None
    if not isinstance(data, dict):
        raise CampaignSpecError([f"{path}: must hold a mapping of campaign settings."])
    return data
