"""How each tenant behaves when contacted, read with a few aggregate queries.

Per session the database returns whether any message got through, when the first reply came
and whether it was completed, so 1,000,000 messages become one row per session before
pandas sees them.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, select

from analysis.frames.sql import epoch, read_frame, to_utc
from bot.storage.models import (
    SessionState,
)
from bot.storage.tables import IDENTITIES, INBOUND, OUTBOUND, RESPONDENTS, SESSIONS

CHANNELS = ("sms", "whatsapp", "telegram", "webchat")
NOT_DELIVERED = ("failed", "undelivered", "cancelled")
# Local time bands for replies; they match the contact_times choices (plus night).
BANDS = ("morning", "afternoon", "evening", "weekend", "night")
DEFAULT_ZONE = "Europe/London"
PAUSE_CAP = 3600.0  # a longer gap between two replies is a break, not slow typing


def respondents_query() -> Select[Any]:
    return select(
        RESPONDENTS.c.id.label("respondent_id"),
        RESPONDENTS.c.tenant_ref,
        RESPONDENTS.c.language.label("respondent_language"),
        RESPONDENTS.c.timezone,
    ).where(RESPONDENTS.c.erased_at.is_(None))


def respondents(connection: Connection) -> pd.DataFrame:
    frame = read_frame(
        connection, respondents_query(),
        categories=("respondent_language", "timezone"), texts=("tenant_ref",),
    )  # fmt: skip
    return frame.sort_values("respondent_id").reset_index(drop=True)


def identities_query() -> Select[Any]:
    return select(
        IDENTITIES.c.respondent_id,
        IDENTITIES.c.channel,
        IDENTITIES.c.opted_out_at.is_not(None).label("opted_out"),
    )


def identities(connection: Connection) -> pd.DataFrame:
    """holds_<channel> (an address not opted out) and opted_out_<channel> per tenant."""
    frame = read_frame(connection, identities_query(), texts=("channel",))
    frame = frame[frame["channel"].isin(CHANNELS)]
    if frame.empty:
        return pd.DataFrame(index=pd.Index([], name="respondent_id"))
    opted = frame["opted_out"].astype(bool)
    frame = frame.assign(holds=(~opted).astype(np.int8), out=opted.astype(np.int8))
    per = frame.groupby(["respondent_id", "channel"])[["holds", "out"]].max().unstack("channel")
    result = pd.DataFrame(index=per.index)
    for channel in CHANNELS:
        for name, prefix in (("holds", "holds"), ("out", "opted_out")):
            column = per[name][channel] if channel in per[name].columns else None
            result[f"{prefix}_{channel}"] = (
                column.fillna(0).astype(bool) if column is not None else False
            )
    return result


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].fillna(False).astype(bool)


def sessions_query(dialect: str) -> Select[Any]:
    return select(
        SESSIONS.c.id.label("session_id"),
        SESSIONS.c.respondent_id,
        SESSIONS.c.channel,
        SESSIONS.c.state,
        epoch(SESSIONS.c.created_at, dialect).label("created_at"),
    )


def sessions(connection: Connection) -> pd.DataFrame:
    """One row per session: channel, reached, replies, first reply time, completed."""
    query = sessions_query(connection.dialect.name)
    frame = read_frame(connection, query, categories=("channel", "state"))
    frame = frame.join(_activity(connection), on="session_id")
    frame["reached"] = frame["reached"].fillna(0)
    frame["replies"] = frame["replies"].fillna(0)
    frame["completed"] = frame["state"] == SessionState.COMPLETED.value
    # A tenant who replied was reached, whatever the delivery receipt said.
    frame["replied"] = frame["replies"].astype(np.int64) > 0
    frame["reached"] = (frame["reached"].astype(np.int64) > 0) | frame["replied"]
    frame["created_at"] = to_utc(frame["created_at"])
    frame["first_reply_at"] = to_utc(frame["first_reply_at"])
    return frame


def _activity(connection: Connection) -> pd.DataFrame:
    """Per session: whether anything got through, the replies, the first reply's time and
    the pace of replying (mean seconds between consecutive replies, pauses capped at an
    hour).

    One pass over the outbox with the reply each message answered (every inbound message
    has exactly one outbox reply, which carries the session), read as columns and grouped
    by numpy: grouping and a window function inside SQLite took four times as long as
    reading the rows. The delivery status is not in that pass: it sits behind each
    message's body, and reading it there cost a fifth of this query's time, while the few
    messages that did not get through are found in the status index (`undelivered_query`).
    """
    rows = read_frame(connection, activity_query(connection.dialect.name))
    undelivered = read_frame(connection, undelivered_query())
    columns = ["reached", "replies", "first_reply_at", "reply_seconds"]
    if rows.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="session_id"))
    return _per_session(
        rows["session_id"].to_numpy(dtype=np.int64),
        pd.to_numeric(rows["reply_at"], errors="coerce").to_numpy(dtype=np.float64),
        undelivered["session_id"].to_numpy(dtype=np.int64),
    )


def activity_query(dialect: str) -> Select[Any]:
    """Each outbox message of a session with the time of the reply it answered (if any)."""
    return (
        select(OUTBOUND.c.session_id, epoch(INBOUND.c.received_at, dialect).label("reply_at"))
        .outerjoin(INBOUND, INBOUND.c.id == OUTBOUND.c.in_reply_to)
        .where(OUTBOUND.c.session_id.is_not(None))
    )


def undelivered_query() -> Select[Any]:
    """The session of each outbox message that did not get through (through the outbox's
    status index: a few thousand rows among millions)."""
    return select(OUTBOUND.c.session_id).where(
        OUTBOUND.c.status.in_(NOT_DELIVERED), OUTBOUND.c.session_id.is_not(None)
    )


def _per_session(
    session: np.ndarray, reply_at: np.ndarray, undelivered: np.ndarray
) -> pd.DataFrame:
    """The activity columns from one entry per outbox message (its session and reply time)
    and the session of each message that did not get through, with numpy on the session
    ids (counting by id, one sort of the replies) rather than pandas groupbys: a third of
    the time at 1,800,000 messages."""
    # Session ids are row ids: counting per id needs no sort.
    counts = np.bincount(session)
    present = np.flatnonzero(counts)
    # Reached: some message of the session got through (not all of them failed).
    failed = np.bincount(undelivered, minlength=len(counts))[: len(counts)]
    reached = (counts - failed)[present] > 0
    replied = ~np.isnan(reply_at)
    reply_session, reply_time = session[replied], reply_at[replied]
    replies = np.bincount(reply_session, minlength=len(counts))[present]
    reply_session, reply_time, first = _by_session_then_time(reply_session, reply_time)
    first_reply = np.full(len(counts), np.nan)
    first_reply[reply_session[first]] = reply_time[first]
    gaps = np.diff(reply_time)
    within = ~first[1:]
    capped = np.minimum(gaps[within], PAUSE_CAP)  # no NaN here: only replies were kept
    # The mean through pandas, whose compensated sums the earlier results came from.
    pace = pd.Series(capped).groupby(reply_session[1:][within]).mean()
    index = pd.Index(present, name="session_id")
    return pd.DataFrame({
        "reached": reached.astype(np.int64),
        "replies": replies.astype(np.int64),
        "first_reply_at": first_reply[present],
        "reply_seconds": pace.reindex(index).to_numpy(dtype=np.float64),
    }, index=index)  # fmt: skip


def _by_session_then_time(
    session: np.ndarray, time: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The replies ordered by session, then time (equal times as they came), and where
    each session starts. Replies mostly come in time order within a session, so a stable
    sort by session alone usually gives that order already, at a tenth of the cost of
    `lexsort` on both keys, which is used only when it does not."""
    order = np.argsort(session, kind="stable")
    ordered_session, ordered_time = session[order], time[order]
    first = np.ones(len(session), dtype=bool)
    first[1:] = ordered_session[1:] != ordered_session[:-1]
    within = ~first[1:]
    if np.any(ordered_time[1:][within] < ordered_time[:-1][within]):
        order = np.lexsort((time, session))
        ordered_session, ordered_time = session[order], time[order]
    return ordered_session, ordered_time, first


def local_bands(moments: pd.Series, zones: pd.Series) -> pd.Series:
    """The local time band of each moment, converting per time zone (a handful of zones)."""
    band = pd.Series(pd.NA, index=moments.index, dtype="string")
    present = moments.notna()
    for zone, members in zones[present].groupby(zones[present], sort=False).groups.items():
        try:
            local = moments.loc[members].dt.tz_convert(str(zone))
        except (KeyError, ValueError):  # an unknown zone name: the landlord's default
            local = moments.loc[members].dt.tz_convert(DEFAULT_ZONE)
        hour = local.dt.hour.to_numpy()
        weekend = local.dt.day_of_week.to_numpy() >= 5
        night = (hour < 6) | (hour >= 22)
        labels = np.select(
            [night, weekend, hour < 12, hour < 17],
            ["night", "weekend", "morning", "afternoon"],
            default="evening",
        )
        band.loc[members] = labels
    return band


def contact_features(frame: pd.DataFrame, zones: pd.Series) -> pd.DataFrame:
    """Per tenant: reached, replied and completed sessions per channel and their rates,
    the share of replies per channel, first-reply latency, and when replies come."""
    if frame.empty:
        return pd.DataFrame(index=pd.Index([], name="respondent_id"))
    sessions_ = frame.copy()
    kind = sessions_["channel"].astype(object)
    sessions_["channel"] = kind.where(kind.isin(CHANNELS), "other")
    per = sessions_.groupby(["respondent_id", "channel"])[["reached", "replied", "completed"]].sum()
    counts = per.assign(invited=sessions_.groupby(["respondent_id", "channel"]).size())
    wide = counts.unstack("channel", fill_value=0)
    result = pd.DataFrame(index=wide.index)
    for measure in ("invited", "reached", "replied", "completed"):
        present = measure in wide.columns.get_level_values(0)
        block = cast(pd.DataFrame, wide[measure]) if present else pd.DataFrame()
        result[measure] = block.sum(axis=1) if not block.empty else 0
        for channel in CHANNELS:
            result[f"{measure}_{channel}"] = block[channel] if channel in block.columns else 0
    reached = result["reached"].where(result["reached"] > 0)
    replied = result["replied"].where(result["replied"] > 0)
    result["response_rate"] = result["replied"] / reached
    result["completion_rate"] = result["completed"] / reached
    result["completion_after_reply"] = result["completed"] / replied
    for channel in CHANNELS:
        reached_c = result[f"reached_{channel}"].where(result[f"reached_{channel}"] > 0)
        result[f"response_rate_{channel}"] = result[f"replied_{channel}"] / reached_c
        result[f"completion_rate_{channel}"] = result[f"completed_{channel}"] / reached_c
        result[f"reply_share_{channel}"] = result[f"replied_{channel}"] / replied
    result["channels_reached"] = sum((result[f"reached_{c}"] > 0).astype(int) for c in CHANNELS)
    result["channels_answered"] = sum((result[f"replied_{c}"] > 0).astype(int) for c in CHANNELS)

    answered = sessions_[sessions_["replied"]]
    latency = (answered["first_reply_at"] - answered["created_at"]).dt.total_seconds() / 60.0
    result["first_reply_minutes"] = latency.groupby(answered["respondent_id"]).median()
    result["reply_seconds"] = sessions_.groupby("respondent_id")["reply_seconds"].median()
    zone_of = zones.reindex(answered["respondent_id"].to_numpy()).fillna("Europe/London")
    bands = local_bands(answered["first_reply_at"], pd.Series(zone_of.to_numpy(), answered.index))
    # groupby + unstack, not crosstab: crosstab counts each group in Python.
    counts = (
        pd.DataFrame({"respondent_id": answered["respondent_id"], "band": bands})
        .groupby(["respondent_id", "band"]).size().unstack("band", fill_value=0)
    )  # fmt: skip
    shares = counts.div(counts.sum(axis=1), axis=0)
    for band_name in BANDS:
        result[f"replies_{band_name}"] = shares.get(band_name, 0.0)
        result.loc[result["replied"] == 0, f"replies_{band_name}"] = np.nan
    result["last_reply_at"] = answered.groupby("respondent_id")["first_reply_at"].max()
    return result
