"""Segment runs in the database: matching to the previous run, saving, history, write-back."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]
from sqlalchemy import Connection, bindparam, func, insert, select, update

from analysis.frames.bulk import insert_rows
from analysis.frames.sql import epoch, json_text, read_frame, to_utc
from bot.storage.tables import MEMBERSHIPS, PROFILE, RESPONDENTS, SEGMENT_RUNS, SEGMENTS

NOT_ENOUGH_CODE = "N"
NOT_ENOUGH_LABEL = "Not enough data yet"
MIN_OVERLAP = 0.2  # Jaccard overlap below which a segment counts as new, not a continuation
RECOMMENDED_CHANNEL = "recommended_channel"
RECOMMENDED_TIME = "recommended_contact_time"


@dataclass(frozen=True)
class PreviousRun:
    run_id: int
    codes: pd.Series  # respondent id -> segment code (segmented tenants only)
    labels: dict[str, str]  # code -> label
    segment_ids: dict[str, int]  # code -> segment row id
    highest_code: int


def previous_run(connection: Connection) -> PreviousRun | None:
    run_id = connection.execute(select(func.max(SEGMENT_RUNS.c.id))).scalar()
    if run_id is None:
        return None
    segments = connection.execute(
        select(SEGMENTS.c.id, SEGMENTS.c.code, SEGMENTS.c.label).where(SEGMENTS.c.run_id == run_id)
    ).all()
    members = read_frame(
        connection,
        select(MEMBERSHIPS.c.respondent_id, MEMBERSHIPS.c.code).where(
            MEMBERSHIPS.c.run_id == run_id, MEMBERSHIPS.c.code != NOT_ENOUGH_CODE
        ),
    )
    every_code = connection.execute(select(SEGMENTS.c.code).distinct()).scalars().all()
    numbers = [int(m.group(1)) for c in every_code if (m := re.fullmatch(r"S(\d+)", c))]
    return PreviousRun(
        int(run_id),
        members.set_index("respondent_id")["code"],
        {row.code: row.label for row in segments},
        {row.code: int(row.id) for row in segments},
        max(numbers, default=0),
    )


def match_segments(previous: PreviousRun, clusters: pd.Series) -> dict[int, str]:
    """New cluster -> previous code, pairing segments that share the most tenants.

    Hungarian assignment on the Jaccard overlap of memberships; a pair sharing less than
    MIN_OVERLAP is not a continuation, so the new segment gets a new code and label.
    """
    common = clusters.index.intersection(previous.codes.index)
    if common.empty:
        return {}
    old = previous.codes.loc[common].astype(str)
    new = clusters.loc[common]
    overlap = pd.crosstab(new.to_numpy(), old.to_numpy())
    sizes_new = clusters.value_counts().reindex(overlap.index).to_numpy()[:, None]
    sizes_old = previous.codes.value_counts().reindex(overlap.columns).to_numpy()[None, :]
    jaccard = overlap.to_numpy() / (sizes_new + sizes_old - overlap.to_numpy())
    rows, columns = linear_sum_assignment(-jaccard)
    return {
        int(overlap.index[r]): str(overlap.columns[c])
        for r, c in zip(rows, columns, strict=True)
        if jaccard[r, c] >= MIN_OVERLAP
    }


def save_run(
    connection: Connection,
    run: dict[str, Any],
    segments: list[dict[str, Any]],
    members: pd.DataFrame,
    now: datetime.datetime,
) -> tuple[int, dict[str, int]]:
    """Insert the run, its segments and every tenant's membership; (run id, code -> id)."""
    run_id = int(connection.execute(
        insert(SEGMENT_RUNS).returning(SEGMENT_RUNS.c.id), {**run, "created_at": now}
    ).scalar_one())  # fmt: skip
    ids: dict[str, int] = {}
    for segment in segments:
        ids[segment["code"]] = int(connection.execute(
            insert(SEGMENTS).returning(SEGMENTS.c.id), {**segment, "run_id": run_id}
        ).scalar_one())  # fmt: skip
    # Plain Python values straight from the columns, sent by the driver (analysis.frames.bulk):
    # DataFrame.to_dict, and SQLAlchemy processing each row, took longer than the insert.
    count = len(members)
    insert_rows(connection, MEMBERSHIPS, {
        "run_id": [run_id] * count,
        "respondent_id": members.index.to_numpy(dtype=np.int64).tolist(),
        "segment_id": members["code"].map(ids).to_numpy(dtype=np.int64).tolist(),
        "code": members["code"].tolist(),
        "label": members["label"].tolist(),
        "assigned_at": [now] * count,
    })  # fmt: skip
    return run_id, ids


def write_recommendations(
    connection: Connection, advice: pd.DataFrame, source: str, now: datetime.datetime
) -> int:
    """Record each tenant's recommended channel and contact time as profile attributes.

    `advice` is indexed by respondent id with columns `channel` (str) and `window` (dict).
    Only changed values are written: the old value is superseded and stays as history.
    Returns how many profile values changed.
    """
    if advice.empty:
        return 0
    current = read_frame(
        connection,
        select(
            PROFILE.c.id, PROFILE.c.respondent_id, PROFILE.c.name,
            json_text(PROFILE.c.value).label("value_json"),
        ).where(
            PROFILE.c.superseded_at.is_(None),
            PROFILE.c.name.in_([RECOMMENDED_CHANNEL, RECOMMENDED_TIME]),
        ),
    )  # fmt: skip
    changes = 0
    for name, column in ((RECOMMENDED_CHANNEL, "channel"), (RECOMMENDED_TIME, "window")):
        wanted = advice[column]
        old = current[current["name"] == name].drop_duplicates("respondent_id", keep="last")
        old = old.set_index("respondent_id")
        stored = old["value_json"].reindex(wanted.index)
        present = stored.notna().to_numpy()
        same = np.zeros(len(wanted), dtype=bool)
        # A handful of distinct values among 100,000 tenants: each is (de)coded once.
        texts = stored[present].astype(str)
        canonical = {text: _canonical(text) for text in texts.unique()}
        same[present] = texts.map(canonical).to_numpy() == _dumped(wanted[present])
        changed = wanted.index[~same]
        if changed.empty:
            continue
        supersede = old["id"].reindex(changed).dropna().astype(np.int64)
        if not supersede.empty:
            connection.execute(
                update(PROFILE)
                .where(PROFILE.c.id == bindparam("row_id"))
                .values(superseded_at=now),
                [{"row_id": int(row_id)} for row_id in supersede],
            )
        values = wanted.loc[changed]
        insert_rows(connection, PROFILE, {
            "respondent_id": [int(str(respondent_id)) for respondent_id in values.index],
            "name": [name] * len(values),
            "value": values.tolist(),
            "source": [source] * len(values),
            "recorded_at": [now] * len(values),
            "superseded_at": [None] * len(values),
        })  # fmt: skip
        changes += len(changed)
    return changes


def _dumped(values: pd.Series) -> np.ndarray:
    """Each value as sorted JSON; a value object shared by many tenants is dumped once."""
    cache: dict[object, str] = {}
    dumped: list[str] = []
    for value in values:
        key = value if isinstance(value, str) else id(value)
        if key not in cache:
            cache[key] = json.dumps(value, sort_keys=True)
        dumped.append(cache[key])
    return np.array(dumped, dtype=object)


def _canonical(text: str) -> str:
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except ValueError:
        return text


def membership_history(
    connection: Connection, respondent_ids: list[int] | None = None
) -> pd.DataFrame:
    """Every tenant's segment at every run: respondent_id, tenant_ref, run_id, run_at, code,
    label; sorted so each tenant's moves read top to bottom."""
    dialect = connection.dialect.name
    query = (
        select(
            MEMBERSHIPS.c.respondent_id, RESPONDENTS.c.tenant_ref, MEMBERSHIPS.c.run_id,
            epoch(SEGMENT_RUNS.c.created_at, dialect).label("run_at"),
            MEMBERSHIPS.c.code, MEMBERSHIPS.c.label,
        )
        .join(SEGMENT_RUNS, SEGMENT_RUNS.c.id == MEMBERSHIPS.c.run_id)
        .join(RESPONDENTS, RESPONDENTS.c.id == MEMBERSHIPS.c.respondent_id)
    )  # fmt: skip
    if respondent_ids is not None:
        query = query.where(MEMBERSHIPS.c.respondent_id.in_(respondent_ids))
    frame = read_frame(connection, query)
    frame["run_at"] = to_utc(frame["run_at"])
    return frame.sort_values(["respondent_id", "run_id"]).reset_index(drop=True)


def movements(connection: Connection, run_id: int) -> pd.DataFrame:
    """How many tenants moved from each segment of the previous run to each of this run
    (rows: previous label, columns: this run's label)."""
    previous_id = connection.execute(
        select(SEGMENT_RUNS.c.previous_run_id).where(SEGMENT_RUNS.c.id == run_id)
    ).scalar()
    if previous_id is None:
        return pd.DataFrame()
    # Counted in the database (a join on the respondent index): 50 rows come back, not
    # both runs' 200,000 memberships read row by row inside the write transaction.
    now, before = MEMBERSHIPS.alias("now"), MEMBERSHIPS.alias("before")
    pairs = connection.execute(
        select(before.c.label, now.c.label, func.count())
        .join(before, (before.c.respondent_id == now.c.respondent_id)
              & (before.c.run_id == previous_id))
        .where(now.c.run_id == run_id)
        .group_by(before.c.label, now.c.label)
    ).all()  # fmt: skip
    if not pairs:
        return pd.DataFrame()
    counts = pd.DataFrame([tuple(row) for row in pairs], columns=["before", "now", "count"])
    table = counts.pivot(index="before", columns="now", values="count").fillna(0)
    return table.astype(np.int64).rename_axis(index="previous segment", columns="this run")
