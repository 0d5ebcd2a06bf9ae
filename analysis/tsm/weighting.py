"""Rim weights (raking) so respondents mirror the tenant base on age band, area and tenure.

Raking is iterative proportional fitting: the weights are scaled to each attribute's
population shares in turn until every margin matches (or the iterations run out), then
trimmed to [TRIM_LOW, TRIM_HIGH] times the mean weight and re-raked, so no tenant counts
for too much. Hand-written (about 40 lines of pandas) because the available packages are
either unmaintained or pull in large dependency trees for this one loop.

Weighting is off unless chosen (`doorstep report --weight`): published TSM figures are
unweighted unless the summary of approach says otherwise, so weighted figures are shown
beside them, with the effective sample size (Kish) and the design effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.tsm.measures import wilson_interval

WEIGHT_ON = ("age_band", "area", "tenure")
TRIM_LOW, TRIM_HIGH = 0.3, 3.0
NOT_KNOWN = "not known"


def population_shares(tenants: pd.DataFrame, attributes: tuple[str, ...] = WEIGHT_ON
                      ) -> dict[str, pd.Series]:  # fmt: skip
    """Each attribute's share of the tenant base per group ("not known" a group too)."""
    return {
        name: _groups(tenants[name]).value_counts(normalize=True)
        for name in attributes if name in tenants
    }  # fmt: skip


def _groups(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), NOT_KNOWN).astype(str)


def rake(
    sample: pd.DataFrame,
    targets: dict[str, pd.Series],
    *,
    trim: tuple[float, float] = (TRIM_LOW, TRIM_HIGH),
    iterations: int = 100,
    tolerance: float = 1e-8,
) -> pd.Series:
    """Weights (mean 1) for the rows of `sample` so each attribute matches `targets`.

    A group in the sample that the targets do not have keeps weight from the other
    margins only; a target group nobody in the sample belongs to cannot be reached and is
    left out (its share spread over the others).
    """
    weights = pd.Series(1.0, index=sample.index, dtype=float)
    if sample.empty:
        return weights
    groups = {name: _groups(sample[name]) for name in targets}
    for _round in range(20):  # rake, trim; again while trimming moved the margins
        weights = _rake_once(weights, groups, targets, iterations, tolerance)
        trimmed = _trim(weights, trim)
        if np.allclose(trimmed.to_numpy(), weights.to_numpy(), rtol=1e-9):
            break
        weights = trimmed
    return weights / weights.mean()


def _rake_once(weights: pd.Series, groups: dict[str, pd.Series], targets: dict[str, pd.Series],
               iterations: int, tolerance: float) -> pd.Series:  # fmt: skip
    for _ in range(iterations):
        largest = 0.0
        for name, share in targets.items():
            present = share[share.index.isin(groups[name].unique())]
            wanted = present / present.sum() * weights.sum()
            have = weights.groupby(groups[name]).sum()
            factor = (wanted / have).reindex(have.index).fillna(1.0)
            weights = weights * groups[name].map(factor).to_numpy()
            largest = max(largest, float((factor - 1).abs().max()))
        if largest < tolerance:
            break
    return weights


def _trim(weights: pd.Series, trim: tuple[float, float]) -> pd.Series:
    """Clip to [low, high] x the mean weight (repeated, as clipping moves the mean)."""
    for _ in range(100):
        mean = weights.mean()
        clipped = weights.clip(trim[0] * mean, trim[1] * mean)
        if np.allclose(clipped.to_numpy(), weights.to_numpy(), rtol=1e-12):
            break
        weights = clipped
    return weights / weights.mean()


def effective_size(weights: pd.Series) -> float:
    """Kish's effective sample size: (Σw)² / Σw²."""
    total = float(weights.sum())
    return total * total / float((weights * weights).sum()) if len(weights) else 0.0


def weighted_measures(
    responses: pd.DataFrame, weights: pd.Series, unweighted: pd.DataFrame
) -> pd.DataFrame:
    """Per measure (overall): % satisfied unweighted and weighted side by side, with the
    effective sample size and design effect of the weights of those who answered it.

    `weights` is indexed by respondent id; `unweighted` is the satisfaction table."""
    valid = responses[~responses["excluded"].astype(bool)]
    rows = []
    for measure, part in valid.groupby("measure", sort=True):
        w = weights.reindex(part["respondent_id"].to_numpy()).fillna(1.0)
        positive = part["positive"].astype(bool).to_numpy()
        n_eff = effective_size(w)
        share = float((w.to_numpy() * positive).sum() / w.sum())
        low, high = wilson_interval(round(share * n_eff), max(round(n_eff), 1))
        rows.append({"measure": str(measure), "valid": len(part),
                     "weighted_percent": 100 * share, "ci_low": 100 * low,
                     "ci_high": 100 * high, "effective_n": n_eff,
                     "design_effect": len(part) / n_eff if n_eff else np.nan})  # fmt: skip
    table = pd.DataFrame(rows)
    overall = unweighted[unweighted["breakdown"] == "overall"][["measure", "percent"]]
    if table.empty:
        return table
    table = table.merge(overall, on="measure", how="left")
    columns = ["measure", "valid", "percent", "weighted_percent", "ci_low", "ci_high",
               "effective_n", "design_effect"]  # fmt: skip
    return table[columns]


def known_attributes(tenants: pd.DataFrame, attributes: tuple[str, ...] = WEIGHT_ON
                     ) -> tuple[str, ...]:  # fmt: skip
    """The attributes the weights can use: known for at least one tenant. One that is not
    known for anyone is a single group holding every tenant, so it weights nothing."""
    return tuple(name for name in attributes if name in tenants and tenants[name].notna().any())


def respondent_weights(tenants: pd.DataFrame, respondents: pd.Index) -> pd.Series:
    """Rim weights for the respondents (indexed by respondent id) to the tenant base."""
    sample = tenants.reindex(respondents)
    return rake(sample, population_shares(tenants))
