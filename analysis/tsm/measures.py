"""Tenant Satisfaction Measures: percentage satisfied per measure with a 95% interval.

A question is a measure when the questionnaire says so (`measure: {code: TP01, positive:
[1, 2]}`). Each valid answer is positive (a code in `positive`) or not. A choice marked
`missing` (e.g. "don't know", code 9) is left out of the denominator only when it is a
choice of *that question's* list: the regulator allows "don't know" on TP05-TP08, TP11 and
TP12 only. The same code on a question whose list does not offer it (it can only arrive by
a data fault or a later edit of the list) counts in the denominator as not satisfied and is
counted in `dont_know_counted`, so the analyst sees it instead of a silently better figure.

Intervals are Wilson score intervals (z = 1.96): unlike the normal approximation they stay
inside 0-100% and behave at small n and near 0% or 100%. Cells with fewer valid answers
than the minimum cell size are suppressed (counts and figures left empty).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.frames.values import as_texts
from bot.questionnaire.model import Questionnaire

Z95 = 1.96
KEYS = ["questionnaire_id", "questionnaire_version", "question"]
TABLE_COLUMNS = [
    "measure", "question", "breakdown", "group", "positive", "valid", "excluded",
    "dont_know_counted", "percent", "ci_low", "ci_high", "suppressed",
]  # fmt: skip


def wilson_interval(positive: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion, as fractions (0-1)."""
    if total <= 0:
        return (math.nan, math.nan)
    p = positive / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (max(0.0, centre - half), min(1.0, centre + half))


def measure_specs(questionnaires: Iterable[Questionnaire]) -> pd.DataFrame:
    """One row per (questionnaire version, measure question, code) that matters.

    `role` is "positive", "missing" (a don't-know choice of this question's own list) or
    "missing_elsewhere" (a code that is a don't-know choice somewhere else in the version).
    """
    rows: list[tuple[object, ...]] = []
    seen: set[tuple[str, str]] = set()
    for q in questionnaires:
        if (q.id, q.version) in seen:
            continue
        seen.add((q.id, q.version))
        missing_anywhere = {
            choice.code
            for choice_list in q.choice_lists.values()
            for choice in choice_list.choices
            if choice.missing
        }
        for question in q.questions:
            if question.measure is None:
                continue
            own = (
                {c.code for c in question.choices.choices if c.missing}
                if question.choices
                else set()
            )
            base = (q.id, q.version, question.name, question.measure.code)
            rows += [(*base, code, "positive") for code in question.measure.positive]
            rows += [(*base, code, "missing") for code in sorted(own)]
            rows += [(*base, code, "missing_elsewhere") for code in sorted(missing_anywhere - own)]
    return pd.DataFrame(rows, columns=[*KEYS, "measure", "code", "role"])


def measure_responses(answers: pd.DataFrame, specs: pd.DataFrame) -> pd.DataFrame:
    """Answers to measure questions, one row each: respondent_id, session_id, channel,
    answered_at, measure, question, code, positive, excluded, dont_know_counted.

    Skipped answers (no value) are not responses and are dropped here.
    """
    if answers.empty or specs.empty:
        columns = ["respondent_id", "session_id", "channel", "answered_at", "measure",
                   "question", "code", "positive", "excluded", "dont_know_counted"]  # fmt: skip
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    keys = specs[[*KEYS, "measure"]].drop_duplicates()
    wanted = answers[~answers["skipped"].astype(bool) & answers["value_code"].notna()]
    frame = pd.DataFrame({name: as_texts(wanted[name]) for name in KEYS})
    frame["respondent_id"] = wanted["respondent_id"].to_numpy()
    frame["session_id"] = wanted["session_id"].to_numpy()
    frame["channel"] = as_texts(wanted["channel"])
    # The array itself: to_numpy() of zoned times builds one Timestamp object per answer.
    frame["answered_at"] = wanted["answered_at"].array
    frame["code"] = wanted["value_code"].astype("int64").to_numpy()
    frame = frame.merge(keys, on=KEYS, how="inner")
    roles = specs[[*KEYS, "code", "role"]]
    frame = frame.merge(roles, on=[*KEYS, "code"], how="left")
    frame["positive"] = (frame["role"] == "positive").to_numpy()
    frame["excluded"] = (frame["role"] == "missing").to_numpy()
    frame["dont_know_counted"] = (frame["role"] == "missing_elsewhere").to_numpy()
    return frame.drop(columns=["role", "questionnaire_id", "questionnaire_version"])


def latest_sessions(responses: pd.DataFrame) -> pd.DataFrame:
    """Keep each respondent's latest session only: a tenant surveyed twice in the period
    is one response (their latest view), as the TSM count respondents, not surveys."""
    if responses.empty:
        return responses
    last = responses.groupby("session_id", sort=False)["answered_at"].max().rename("_last")
    # Ranked per session (a session is one respondent's), not per answer.
    sessions = responses[["session_id", "respondent_id"]].drop_duplicates("session_id")
    ranked = sessions.join(last, on="session_id")
    keep = ranked.sort_values(["_last", "session_id"]).drop_duplicates("respondent_id", keep="last")
    return responses[responses["session_id"].isin(keep["session_id"])].reset_index(drop=True)


def satisfaction_table(
    responses: pd.DataFrame,
    *,
    breakdowns: dict[str, pd.Series] | None = None,
    min_cell: int = 10,
) -> pd.DataFrame:
    """% satisfied per measure: overall, then per group of each breakdown.

    `breakdowns` maps a name to a per-response Series (aligned with `responses`), e.g.
    {"channel": responses["channel"], "tenure": tenure}. Missing group values become
    "not known".
    """
    parts = [
        _cells(responses, pd.Series("all tenants", index=responses.index), "overall", min_cell)
    ]
    for name, groups in (breakdowns or {}).items():
        parts.append(_cells(responses, _group_labels(groups), name, min_cell))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=TABLE_COLUMNS)
    order = {code: n for n, code in enumerate(sorted(responses["measure"].unique()))}
    table["_order"] = table["measure"].map(order)
    table = table.sort_values(["_order", "breakdown", "group"], kind="stable", key=_breakdown_key)
    return table.drop(columns="_order").reset_index(drop=True)[TABLE_COLUMNS]


def _breakdown_key(column: pd.Series) -> pd.Series:
    if column.name == "breakdown":
        return column.map({"overall": "0"}).fillna("1" + column.astype(str))
    return column


def _cells(
    responses: pd.DataFrame, groups: pd.Series, breakdown: str, min_cell: int
) -> pd.DataFrame:
    # Grouped by category codes (the few names sorted once), not by half a million strings.
    frame = pd.DataFrame({
        "measure": _sorted_category(responses["measure"]),
        "question": _sorted_category(responses["question"]),
        "group": _sorted_category(groups),
        "positive": responses["positive"].astype(bool) & ~responses["excluded"].astype(bool),
        "valid": ~responses["excluded"].astype(bool),
        "excluded": responses["excluded"].astype(bool),
        "dont_know_counted": responses["dont_know_counted"].astype(bool),
    })  # fmt: skip
    counts = frame.groupby(["measure", "question", "group"], observed=True, sort=True).sum()
    counts = counts.astype(np.int64).reset_index()
    for name in ("measure", "question", "group"):
        counts[name] = counts[name].astype(str)
    counts.insert(2, "breakdown", breakdown)
    low, high = (
        zip(
            *(
                wilson_interval(p, n)
                for p, n in zip(counts["positive"], counts["valid"], strict=True)
            ),
            strict=True,
        )
        if len(counts)
        else ((), ())
    )
    counts["percent"] = 100 * counts["positive"] / counts["valid"].where(counts["valid"] > 0)
    counts["ci_low"] = 100 * pd.Series(low, index=counts.index, dtype=float)
    counts["ci_high"] = 100 * pd.Series(high, index=counts.index, dtype=float)
    return suppress(counts, "valid", min_cell)


def _group_labels(groups: pd.Series) -> pd.Series:
    """Each group's text, "not known" where missing, as a sorted category."""
    return pd.Series(_sorted_category(groups, missing="not known"), index=groups.index)


def _sorted_category(values: pd.Series, missing: str | None = None) -> pd.Categorical[Any]:
    """The values' text as a category whose categories sort as the texts do, made per
    distinct value, not per response; missing values read `missing` when given, and values
    that read the same share one category."""
    codes, names = pd.factorize(values, use_na_sentinel=False)
    texts = pd.Index(
        [missing if missing is not None and pd.isna(name) else str(name) for name in names],
        dtype=object,
    )
    merged, distinct = pd.factorize(texts)
    categories = pd.Index(distinct[distinct.argsort()], dtype=object)
    rank = categories.get_indexer(distinct)[merged]
    return pd.Categorical.from_codes(rank[codes], dtype=pd.CategoricalDtype(categories))


def suppress(table: pd.DataFrame, count_column: str, min_cell: int) -> pd.DataFrame:
    """Blank every count and figure of rows whose `count_column` is below `min_cell`.

    The rows stay (with `suppressed` set), so a reader sees that a group exists but not
    how few people are in it.
    """
    small = table[count_column] < min_cell
    result = table.copy()
    result["suppressed"] = small.to_numpy()
    numeric = [c for c in result.columns if c != "suppressed" and _is_figure(result[c])]
    for column in numeric:
        result[column] = result[column].astype("Float64" if result[column].dtype.kind == "f"
                                               else "Int64")  # fmt: skip
        result.loc[small, column] = pd.NA
    return result


def _is_figure(column: pd.Series) -> bool:
    return column.dtype.kind in "iuf" or str(column.dtype) in ("Int64", "Float64")
