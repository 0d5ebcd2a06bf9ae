"""The report's first page: what a board member needs in one glance.

Responses achieved against required, TP01 with its interval, the largest changes since
the previous report written to the same folder (its tsm_measures.csv), and how many
damp-and-mould concerns are still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, func, or_, select

from bot.concerns.models import ConcernStatus
from bot.storage.tables import CONCERNS

DAMP = ("damp", "mould", "mold", "lleithder", "llwydni", "condensation")
CHANGES_SHOWN = 3


@dataclass(frozen=True)
class Headline:
    achieved: int | None
    required: int | None
    met: bool | None
    tp01: float | None
    tp01_low: float | None
    tp01_high: float | None
    damp_open: int
    changes: list[tuple[str, float, float]] = field(default_factory=list)  # code, was, now
    previous_found: bool = False


def open_damp_concerns(connection: Connection) -> int:
    """Concerns not closed whose reason names damp or mould."""
    reason = func.lower(CONCERNS.c.reason)
    query = (
        select(func.count())
        .select_from(CONCERNS)
        .where(
            CONCERNS.c.status != ConcernStatus.CLOSED.value,
            or_(*(reason.like(f"%{word}%") for word in DAMP)),
        )
    )
    return int(connection.execute(query).scalar() or 0)


def previous_measures(folder: Path) -> pd.DataFrame | None:
    """The overall TSM figures of the report last written to `folder`, if any."""
    path = folder / "tsm_measures.csv"
    if not path.exists():
        return None
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError):
        return None
    if not {"measure", "breakdown", "percent"} <= set(table.columns):
        return None
    return table[table["breakdown"] == "overall"][["measure", "percent"]].dropna()


def changes(
    previous: pd.DataFrame | None, measures: pd.DataFrame
) -> list[tuple[str, float, float]]:
    if previous is None:
        return []
    now = measures[measures["breakdown"] == "overall"][["measure", "percent"]].dropna()
    both = now.merge(previous, on="measure", suffixes=("", "_was"))
    both["change"] = both["percent"].astype(float) - both["percent_was"].astype(float)
    both = both[both["change"].abs() >= 0.05]
    both = both.reindex(both["change"].abs().sort_values(ascending=False).index)
    return [(str(r["measure"]), float(r["percent_was"]), float(r["percent"]))
            for _, r in both.head(CHANGES_SHOWN).iterrows()]  # fmt: skip


def headline(sample: pd.DataFrame, measures: pd.DataFrame, damp_open: int,
             previous: pd.DataFrame | None) -> Headline:  # fmt: skip
    overall = sample[sample["group"] == "all tenants"]
    row = overall.iloc[0] if len(overall) else None
    tp01 = measures[(measures["breakdown"] == "overall") & (measures["measure"] == "TP01")]
    cell = tp01.iloc[0] if len(tp01) else None

    def number(source: pd.Series | None, name: str) -> float | None:
        if source is None or pd.isna(source[name]):
            return None
        return float(source[name])

    achieved, required = number(row, "achieved"), number(row, "required")
    return Headline(
        achieved=None if achieved is None else int(achieved),
        required=None if required is None else int(required),
        met=None if row is None or pd.isna(row["met"]) else bool(row["met"]),
        tp01=number(cell, "percent"), tp01_low=number(cell, "ci_low"),
        tp01_high=number(cell, "ci_high"), damp_open=damp_open,
        changes=changes(previous, measures), previous_found=previous is not None,
    )  # fmt: skip
