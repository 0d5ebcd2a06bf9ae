"""Which sessions an export holds: the filters an analyst gives, checked and turned into SQL.

Every filter narrows the sessions of one questionnaire. Dates are calendar days in UTC on
the day the conversation started; `date_to` is inclusive.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Select, func, or_, select

from analysis.frames.sql import read_frame
from analysis.frames.tidy import session_columns
from bot.i18n.languages import is_supported
from bot.storage.models import SessionState
from bot.storage.tables import MEMBERSHIPS, PROFILE, SESSIONS, TARGETS, VERSIONS

EXPORT_CHANNELS = ("sms", "whatsapp", "telegram", "webchat")
MAX_TEXT = 80
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class FilterError(ValueError):
    """A filter that cannot be used, said in a sentence the analyst can act on."""


@dataclass(frozen=True)
class ExportFilters:
    questionnaire_id: str
    version: str | None = None
    campaign_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    channel: str | None = None
    language: str | None = None
    segment: str | None = None
    completed: bool | None = None

    def check(self) -> None:
        """Raise FilterError for a filter that could never match anything sensible."""
        for name in ("questionnaire_id", "version", "segment"):
            value = getattr(self, name)
            if value is not None and not 0 < len(value) <= MAX_TEXT:
                raise FilterError(f"The {name} filter must be 1 to {MAX_TEXT} characters long.")
            if value is not None and any(ord(c) < 32 for c in value):
                raise FilterError(f"The {name} filter contains control characters.")
        for day in (self.date_from, self.date_to):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise FilterError("Give dates between 1900-01-01 and 2999-12-31.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError("date_from is after date_to; give the earlier date first.")
        if self.channel is not None and self.channel not in EXPORT_CHANNELS:
            names = ", ".join(EXPORT_CHANNELS)
            raise FilterError(f"{self.channel!r} is not a channel; use one of: {names}.")
        if self.language is not None and not is_supported(self.language):
            raise FilterError(f"{self.language!r} is not a supported language code (e.g. cy).")
        if self.campaign_id is not None and not 0 < self.campaign_id < 2**53:
            raise FilterError("campaign must be a campaign number, e.g. 12.")

    def as_json(self) -> dict[str, Any]:
        """The filters that were given, for the audit log."""
        given = {key: value for key, value in asdict(self).items() if value is not None}
        for key in ("date_from", "date_to"):
            if key in given:
                given[key] = given[key].isoformat()
        return given


def version_ids(connection: Connection, filters: ExportFilters) -> dict[int, str]:
    """Stored version id -> version string of the questionnaire (and version) asked for."""
    query = select(VERSIONS.c.id, VERSIONS.c.version).where(
        VERSIONS.c.questionnaire_id == filters.questionnaire_id
    )
    if filters.version is not None:
        query = query.where(VERSIONS.c.version == filters.version)
    rows = connection.execute(query.order_by(VERSIONS.c.id))
    return {int(row.id): str(row.version) for row in rows}


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _segment_members(connection: Connection, segment: str) -> tuple[Select[Any], set[int]]:
    """Respondents in the segment: their profile's `segment`, else the latest run's code or
    label (the way campaign audiences read it)."""
    wanted = segment.strip().lower()
    latest = select(func.max(MEMBERSHIPS.c.run_id)).scalar_subquery()
    by_run = select(MEMBERSHIPS.c.respondent_id).where(
        MEMBERSHIPS.c.run_id == latest,
        or_(func.lower(MEMBERSHIPS.c.code) == wanted, func.lower(MEMBERSHIPS.c.label) == wanted),
    )
    profiled = {
        int(row.respondent_id)
        for row in connection.execute(
            select(PROFILE.c.respondent_id, PROFILE.c.value).where(
                PROFILE.c.name == "segment", PROFILE.c.superseded_at.is_(None)
            )
        )
        if str(row.value).strip().lower() == wanted
    }
    return by_run, profiled


def select_sessions(
    connection: Connection, filters: ExportFilters, versions: dict[int, str]
) -> pd.DataFrame:
    """The matching sessions, one row each, in the shape `analysis.frames.tidy.widen` expects."""
    dialect = connection.dialect.name
    query = select(*session_columns(dialect)).where(
        SESSIONS.c.questionnaire_version_id.in_(sorted(versions))
    )
    if filters.campaign_id is not None:
        query = query.where(
            SESSIONS.c.id.in_(
                select(TARGETS.c.session_id).where(
                    TARGETS.c.campaign_id == filters.campaign_id, TARGETS.c.session_id.is_not(None)
                )
            )
        )
    if filters.date_from is not None:
        query = query.where(SESSIONS.c.created_at >= _midnight(filters.date_from))
    if filters.date_to is not None:
        end = _midnight(filters.date_to) + datetime.timedelta(days=1)
        query = query.where(SESSIONS.c.created_at < end)
    if filters.channel is not None:
        query = query.where(SESSIONS.c.channel == filters.channel)
    if filters.language is not None:
        query = query.where(SESSIONS.c.language == filters.language)
    if filters.completed is not None:
        done = SESSIONS.c.state == SessionState.COMPLETED.value
        query = query.where(done if filters.completed else ~done)
    if filters.segment is not None:
        by_run, profiled = _segment_members(connection, filters.segment)
        query = query.where(
            or_(
                SESSIONS.c.respondent_id.in_(by_run),
                SESSIONS.c.respondent_id.in_(sorted(profiled)),
            )
        )
    return read_frame(connection, query.order_by(SESSIONS.c.id))
