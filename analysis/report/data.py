"""The tables behind the report, read from the database: aggregates only.

Every table is counts and shares per group; groups with fewer respondents than the minimum
cell size are suppressed (see `analysis.tsm.measures.suppress`). Nothing here names a tenant.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from analysis.frames.catalog import Catalog
from analysis.frames.sql import epoch, read_frame, to_utc
from analysis.frames.tidy import answers_frame
from analysis.segments import contact
from analysis.tsm.measures import measure_responses, measure_specs, suppress, wilson_interval
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.tables import MEMBERSHIPS, REPAIR_JOBS, SEGMENT_RUNS, SEGMENTS

REPAIR_QUESTIONNAIRE = "post_repair"
GROUP_ATTRIBUTES = ("age_band", "tenure", "area", "ethnicity")


def latest_segments(connection: Connection, min_cell: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The latest segmentation run: (segments, memberships respondent_id -> code, label)."""
    run_id = connection.execute(select(func.max(SEGMENT_RUNS.c.id))).scalar()
    columns = ["code", "label", "size", "portrait", "recommended_channel", "not_enough_data"]
    if run_id is None:
        empty = pd.DataFrame(columns=[*columns, "name", "suppressed"])
        return empty, pd.DataFrame(columns=["respondent_id", "segment"])
    rows = connection.execute(
        select(*(SEGMENTS.c[name] for name in columns)).where(SEGMENTS.c.run_id == run_id)
        .order_by(SEGMENTS.c.not_enough_data, SEGMENTS.c.code)
    ).all()  # fmt: skip
    segments = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    segments["portrait"] = segments["portrait"].map(lambda p: list(p or []))
    segments["name"] = segments["code"] + " " + segments["label"]
    members = read_frame(
        connection, select(MEMBERSHIPS.c.respondent_id, MEMBERSHIPS.c.code, MEMBERSHIPS.c.label)
        .where(MEMBERSHIPS.c.run_id == run_id)
    )  # fmt: skip
    members["segment"] = members["code"].astype(str) + " " + members["label"].astype(str)
    segments = suppress(segments, "size", min_cell)
    return segments, members[["respondent_id", "segment"]]


def channel_mix(sessions: pd.DataFrame, members: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Per segment: the share of answered surveys that came on each channel."""
    replied = sessions[sessions["replied"]].merge(members, on="respondent_id", how="inner")
    counts = pd.crosstab(replied["segment"], replied["channel"].astype(str))
    counts = counts.reindex(columns=list(contact.CHANNELS), fill_value=0)
    total = counts.sum(axis=1)
    shares = 100 * counts.div(total.where(total > 0), axis=0)
    table = shares.add_prefix("share_").reset_index().rename(columns={"segment": "group"})
    table.insert(1, "answered_surveys", total.to_numpy())
    return suppress(table, "answered_surveys", min_cell)


def response_rates(
    sessions: pd.DataFrame, members: pd.DataFrame, tenants: pd.DataFrame, min_cell: int
) -> pd.DataFrame:
    """Replied / reached surveys by channel, by segment and by each demographic group."""
    frame = sessions[sessions["reached"]].copy()
    frame["channel"] = frame["channel"].astype(str)
    frame = frame.merge(members, on="respondent_id", how="left")
    frame["segment"] = frame["segment"].fillna("no segment yet")
    attributes = tenants.reindex(frame["respondent_id"].to_numpy())
    parts = [_rates(frame, frame["channel"], "channel", min_cell),
             _rates(frame, frame["segment"], "segment", min_cell)]  # fmt: skip
    for name in GROUP_ATTRIBUTES:
        values = attributes[name].astype(object).to_numpy() if name in attributes else None
        groups = pd.Series(values, index=frame.index).fillna("not known")
        parts.append(_rates(frame, groups, name, min_cell))
    return pd.concat(parts, ignore_index=True)


def _rates(frame: pd.DataFrame, groups: pd.Series, breakdown: str, min_cell: int) -> pd.DataFrame:
    counts = frame.groupby(groups.astype(str).to_numpy())["replied"].agg(["size", "sum"])
    table = pd.DataFrame({"breakdown": breakdown, "group": counts.index.astype(str),
                          "reached": counts["size"].to_numpy(),
                          "replied": counts["sum"].astype("int64").to_numpy()})  # fmt: skip
    table["rate"] = 100 * table["replied"] / table["reached"]
    return suppress(table, "reached", min_cell)


def repairs_over_time(connection: Connection, catalog: Catalog, min_cell: int) -> pd.DataFrame:
    """Post-repair % satisfied per month of completion, by contractor and by trade."""
    columns = ["breakdown", "group", "month", "positive", "valid", "percent", "ci_low",
               "ci_high", "suppressed"]  # fmt: skip
    answers = answers_frame(connection, questionnaire_id=REPAIR_QUESTIONNAIRE, catalog=catalog)
    responses = measure_responses(answers, measure_specs(catalog.questionnaires.values()))
    dialect = connection.dialect.name
    jobs = read_frame(connection, select(
        REPAIR_JOBS.c.session_id, REPAIR_JOBS.c.trade, REPAIR_JOBS.c.contractor,
        epoch(REPAIR_JOBS.c.completed_at, dialect).label("completed_at"),
    ).where(REPAIR_JOBS.c.session_id.is_not(None)))  # fmt: skip
    if responses.empty or jobs.empty:
        return pd.DataFrame(columns=columns)
    jobs["month"] = to_utc(jobs["completed_at"]).dt.strftime("%Y-%m")
    frame = responses[~responses["excluded"].astype(bool)].merge(jobs, on="session_id")
    parts = []
    for breakdown in ("contractor", "trade"):
        group = frame[breakdown].fillna("not recorded").astype(str)
        counts = frame.assign(group=group).groupby(["group", "month"])["positive"]
        table = counts.agg(["sum", "size"]).reset_index()
        table = table.rename(columns={"sum": "positive", "size": "valid"})
        table.insert(0, "breakdown", breakdown)
        table["positive"] = table["positive"].astype("int64")
        bounds = [wilson_interval(p, n) for p, n in zip(table["positive"], table["valid"],
                                                           strict=True)]  # fmt: skip
        table["percent"] = 100 * table["positive"] / table["valid"]
        table["ci_low"] = [100 * low for low, _ in bounds]
        table["ci_high"] = [100 * high for _, high in bounds]
        parts.append(suppress(table, "valid", min_cell))
    return pd.concat(parts, ignore_index=True)[columns]


def translation_status(registry: QuestionnaireRegistry) -> pd.DataFrame:
    """Each shipped questionnaire's languages and whether a translator reviewed them."""
    rows = [
        (q.id, q.version, language, str(status))
        for q in sorted(registry.all(), key=lambda q: q.id)
        for language, status in q.languages.items()
    ]
    return pd.DataFrame(rows, columns=["questionnaire", "version", "language", "status"])


def all_sessions(connection: Connection) -> pd.DataFrame:
    """Every survey sent: respondent, channel, reached, replied (see analysis.segments.contact)."""
    return contact.sessions(connection)[["session_id", "respondent_id", "channel", "reached",
                                         "replied", "completed"]]  # fmt: skip
