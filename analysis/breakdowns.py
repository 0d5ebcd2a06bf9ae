"""Breakdowns that tell a reader nothing, and the sentence that says so in their place.

A breakdown whose only group is "not known" (or, for repair jobs, "not recorded") repeats
the overall figure under another name: with no tenure on file, the breakdown by tenure is
one "Not known" bar per measure. The report leaves such a breakdown out of the page and says
why in one sentence where it would have been ("The breakdown by tenure is not shown because
tenure is not known for any respondent."), never dropping it silently. The CSVs keep every
row. This sits below both the TSM layer and the report, like `analysis.words`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analysis.words import ATTRIBUTE_WORDS, humanise

# Group labels that stand for "we have no value": a breakdown made only of one says nothing.
UNKNOWN_GROUPS = ("not known", "not recorded")


@dataclass(frozen=True)
class Shown:
    """A breakdown table as the page shows it: without the breakdowns that say nothing,
    and the sentence naming those (empty when every breakdown is shown)."""

    table: pd.DataFrame
    note: str


def unknown_only(table: pd.DataFrame, by: str = "breakdown", group: str = "group") -> list[str]:
    """The breakdowns (values of `by`, in table order) whose every row is an unknown group."""
    if table.empty:
        return []
    unknown = table[group].astype(str).isin(UNKNOWN_GROUPS)
    per_breakdown = unknown.groupby(table[by].astype(str).to_numpy(), sort=False).all()
    return [str(name) for name, only in per_breakdown.items() if only]


def informative(
    table: pd.DataFrame, about: str, by: str = "breakdown", group: str = "group"
) -> Shown:
    """`table` without its breakdowns that say nothing, and the sentence about them.

    `about` is who the rows count, in the singular: "respondent", "tenant", "repair job"."""
    names = unknown_only(table, by, group)
    if not names:
        return Shown(table, "")
    left_out = table[by].astype(str).isin(names)
    state = str(table.loc[left_out, group].astype(str).iloc[0])  # "not known" / "not recorded"
    return Shown(table[~left_out.to_numpy()], not_shown(names, about, state))


def informative_groups(
    table: pd.DataFrame, about: str, name: str, overall: str = "all tenants"
) -> Shown:
    """`informative` for a table of one breakdown under its overall row, with no breakdown
    column (the TSM sample: all tenants, then each tenure): the overall row always stays."""
    tagged = table.assign(_breakdown=(table["group"] == overall).map({True: "", False: name}))
    shown = informative(tagged, about, by="_breakdown")
    return Shown(shown.table.drop(columns="_breakdown"), shown.note)


def not_shown(names: Sequence[str], about: str, state: str = "not known") -> str:
    """ "The breakdown by tenure is not shown because tenure is not known for any respondent." """
    if len(names) == 1:
        said = dimension(names[0])
        return f"The breakdown by {said} is not shown because {said} is {state} for any {about}."
    return (f"The breakdowns by {listed(names)} are not shown because none of them is "
            f"{state.removeprefix('not ')} for any {about}.")  # fmt: skip


def listed(names: Sequence[str]) -> str:
    """Breakdown names as a list in a sentence: "age band, area and tenure"."""
    said = [dimension(name) for name in names]
    return f"{', '.join(said[:-1])} and {said[-1]}" if len(said) > 1 else "".join(said)


def dimension(name: str) -> str:
    """A breakdown's name inside a sentence: "age_band" -> "age band", "ethnicity" ->
    "ethnic group"."""
    return ATTRIBUTE_WORDS.get(name, humanise(name)).lower()
