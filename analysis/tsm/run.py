"""The TSM tables from the database: measures, sample size and representativeness."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from analysis.frames.catalog import Catalog
from analysis.frames.tidy import answers_frame
from analysis.tsm.measures import (
    latest_sessions,
    measure_responses,
    measure_specs,
    satisfaction_table,
)
from analysis.tsm.sample import representativeness, sample_table

TSM_QUESTIONNAIRE = "tsm_perception"


@dataclass(frozen=True)
class TsmResults:
    measures: pd.DataFrame  # satisfaction_table: overall, by channel, by tenure
    sample: pd.DataFrame  # sample_table: required against achieved
    representativeness: pd.DataFrame
    respondents: int  # tenants with at least one valid measure answer
    responses: pd.DataFrame  # measure answers counted: tenants only, latest survey each
    anonymous: int  # people who answered without being a known tenant: left out
    repeat_surveys: int  # earlier surveys of tenants who answered again: left out


def tsm_results(
    connection: Connection,
    *,
    catalog: Catalog,
    tenants: pd.DataFrame,
    homes: int | None = None,
    min_cell: int = 10,
    gap_points: float = 5.0,
    answers: pd.DataFrame | None = None,
) -> TsmResults:
    """Every TSM table for the perception survey.

    `tenants` is `tenant_attributes()` (the tenant base); `homes` the relevant homes N
    (default: the number of tenants). Each tenant counts once: their latest survey.
    """
    if answers is None:
        answers = answers_frame(connection, questionnaire_id=TSM_QUESTIONNAIRE, catalog=catalog)
    return tsm_from_answers(
        answers, catalog=catalog, tenants=tenants, homes=homes, min_cell=min_cell,
        gap_points=gap_points,
    )  # fmt: skip


def tsm_from_answers(
    answers: pd.DataFrame,
    *,
    catalog: Catalog,
    tenants: pd.DataFrame,
    homes: int | None = None,
    min_cell: int = 10,
    gap_points: float = 5.0,
) -> TsmResults:
    if not answers.empty:
        answers = answers[answers["questionnaire_id"].astype(str) == TSM_QUESTIONNAIRE]
    specs = measure_specs(catalog.questionnaires.values())
    every = measure_responses(answers, specs)
    # Anonymous visitors (no tenant reference) are not homes: they never count.
    known = every["respondent_id"].isin(tenants.index)
    anonymous = int(every.loc[~known, "respondent_id"].nunique())
    latest = latest_sessions(every[known].reset_index(drop=True))
    repeats = int(every.loc[known, "session_id"].nunique() - latest["session_id"].nunique())
    responses = latest
    tenure = tenants["tenure"].reindex(responses["respondent_id"].to_numpy())
    tenure.index = responses.index
    measures = satisfaction_table(
        responses,
        breakdowns={"channel": responses["channel"], "tenure": tenure},
        min_cell=min_cell,
    )
    valid = responses[~responses["excluded"].astype(bool)]
    who = pd.Index(valid["respondent_id"].unique())
    achieved = {"all tenants": len(who)}
    by_tenure = tenants["tenure"].reindex(who).fillna("not known").value_counts()
    achieved.update({str(k): int(v) for k, v in sorted(by_tenure.items())})
    total = homes or max(len(tenants), 1)
    sample = sample_table(total, achieved, tenure_homes(tenants, total))
    # Per-tenure achieved counts are published figures too: small ones are suppressed.
    small = (sample["group"] != "all tenants") & (sample["achieved"] < min_cell)
    sample["achieved"] = sample["achieved"].astype("Int64")
    sample.loc[small, "achieved"] = pd.NA
    sample.loc[small, "achieved_margin_points"] = pd.NA
    sample["suppressed"] = small
    table = representativeness(tenants, who, gap_points=gap_points, min_cell=min_cell)
    return TsmResults(measures, sample, table, len(who), responses, anonymous, repeats)


def tenure_homes(tenants: pd.DataFrame, homes: int) -> dict[str, int]:
    """Relevant homes per known tenure: the tenant base's counts, scaled to `homes` when
    the landlord gave a number of relevant homes different from the tenants on file."""
    counts = tenants["tenure"].dropna().astype(str).value_counts()
    if counts.empty:
        return {}
    scale = homes / max(len(tenants), 1)
    return {str(k): max(1, round(int(v) * scale)) for k, v in counts.items()}
