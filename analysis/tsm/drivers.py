"""Key drivers of overall satisfaction (TP01): what matters most to tenants here.

Each tenant's answers become scores (very satisfied 5 … very dissatisfied 1; "don't
know" and unasked questions empty, then filled with that measure's mean so a tenant who
was not asked about repairs still counts). The importance of TP02–TP12 is the Shapley
decomposition of R² (also called dominance analysis): each measure's average gain in R²
over every subset of the others, so the shares add up to the model's R² whatever the
correlations between measures. R² of a subset comes from the correlation matrix
(r'·R⁻¹·r), so the 2¹¹ subsets take milliseconds; intervals are bootstrap percentiles.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

OUTCOME = "TP01"
MIN_RESPONDENTS = 30


def scores(responses: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, one column per measure: 1 (worst) to 5 (best), or empty."""
    valid = responses[~responses["excluded"].astype(bool) & responses["code"].between(1, 5)]
    wide = valid.pivot_table(index="respondent_id", columns="measure", values="code",
                             aggfunc="last")  # fmt: skip
    return 6 - wide.astype(float)


def _r2_all(corr: np.ndarray, p: int) -> np.ndarray:
    """R² for every subset of the p predictors (bit mask index) of each correlation matrix
    in the stack `corr` ((…, p+1, p+1), the outcome last). Subsets of one size are solved
    together, for every matrix at once."""
    r2 = np.zeros((*corr.shape[:-2], 1 << p))
    for k, (chosen, index) in enumerate(_subsets(p), start=1):
        inner = corr[..., index[:, :, None], index[:, None, :]]
        r = corr[..., index, p]
        solved = np.linalg.solve(inner + 1e-9 * np.eye(k), r[..., None])[..., 0]
        r2[..., chosen] = np.einsum("...mk,...mk->...m", r, solved)
    return r2


@functools.cache
def _subsets(p: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per subset size 1..p: the masks and, for each, the positions of its predictors."""
    masks = np.arange(1 << p)
    bits = (masks[:, None] >> np.arange(p)) & 1
    sizes = bits.sum(axis=1)
    result = []
    for k in range(1, p + 1):
        chosen = masks[sizes == k]
        result.append((chosen, np.array([np.flatnonzero(bits[m]) for m in chosen])))
    return result


def shapley_r2(frame: pd.DataFrame, predictors: list[str], outcome: str = OUTCOME
               ) -> pd.Series:  # fmt: skip
    """Each predictor's share of R² (Shapley values; they sum to the full model's R²)."""
    data = frame[[*predictors, outcome]].astype(float)
    data = data.fillna(data.mean()).fillna(0.0)
    return pd.Series(_shapley(data.to_numpy()), index=predictors)


def _shapley(data: np.ndarray) -> np.ndarray:
    """Shapley values of R² for the columns before the last (the outcome)."""
    values: np.ndarray = _shapley_all(_correlations(data)[None])[0]
    return values


def _correlations(data: np.ndarray) -> np.ndarray:
    corr: np.ndarray = np.nan_to_num(np.corrcoef(data, rowvar=False))
    np.fill_diagonal(corr, 1.0)
    return corr


def _shapley_all(corr: np.ndarray) -> np.ndarray:
    """Shapley values of R² for each correlation matrix of the stack (one row each)."""
    p = corr.shape[-1] - 1
    r2 = _r2_all(corr, p)
    values = np.zeros((len(corr), p))
    for j, (without, weight) in enumerate(_marginals(p)):
        values[:, j] = (weight * (r2[:, without | 1 << j] - r2[:, without])).sum(axis=1)
    return values


@functools.cache
def _marginals(p: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per predictor: the subsets without it and each one's Shapley weight."""
    masks = np.arange(1 << p)
    sizes = np.array([bin(m).count("1") for m in masks])
    weight = np.array([math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
                       for k in range(p)] + [0.0])  # fmt: skip
    result = []
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        result.append((without, weight[sizes[without]]))
    return result


def key_drivers(responses: pd.DataFrame, *, rounds: int = 100, seed: int = 16) -> pd.DataFrame:
    """measure, importance (its % of the R² explained; all add up to 100),
    importance_low/high (95% bootstrap percentiles), r2 (the full model's).

    Empty when fewer than MIN_RESPONDENTS answered TP01 or no other measure was asked."""
    wide = scores(responses)
    columns = ["measure", "importance", "importance_low", "importance_high", "r2"]
    if OUTCOME not in wide:
        return pd.DataFrame(columns=columns)
    wide = wide[wide[OUTCOME].notna()]
    predictors = [c for c in sorted(wide.columns) if c != OUTCOME and wide[c].notna().any()]
    if len(wide) < MIN_RESPONDENTS or not predictors:
        return pd.DataFrame(columns=columns)
    point = shapley_r2(wide, predictors)
    table = wide[[*predictors, OUTCOME]].astype(float)
    data = table.fillna(table.mean()).fillna(0.0).to_numpy()  # filled once, then resampled
    rng = np.random.default_rng(seed)
    # Every resample's correlations first, then all their subsets solved together.
    stack = np.stack([_correlations(data[rng.integers(0, len(data), len(data))])
                      for _ in range(rounds)])  # fmt: skip
    draws = np.array([_shares(pd.Series(values)) for values in _shapley_all(stack)])
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    table = pd.DataFrame({"measure": predictors, "importance": _shares(point),
                          "importance_low": low, "importance_high": high,
                          "r2": float(point.sum())})  # fmt: skip
    return table.sort_values("importance", ascending=False).reset_index(drop=True)


def _shares(values: pd.Series) -> np.ndarray:
    total = float(values.sum())
    return np.asarray(100 * values.to_numpy() / total if total > 0 else values.to_numpy() * 0)
