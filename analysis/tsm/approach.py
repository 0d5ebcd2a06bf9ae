"""The TSM summary of approach, drafted from the data for the landlord to check and publish.

Every landlord publishes one beside its TSM results: the achieved sample (per tenure),
when fieldwork ran, the collection methods and the share of responses from each, how
the sample was drawn, how representative it is, any weighting, what was left out, and
what only the landlord knows (incentives, who carried out the survey). What the data
cannot tell is left as "[to be completed by the landlord]" so it is never published blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.breakdowns import dimension, informative, informative_groups, listed
from analysis.tsm.run import TsmResults
from analysis.words import ATTRIBUTE_WORDS, CHANNEL_WORDS, TENURE_WORDS, Words

TO_COMPLETE = "[to be completed by the landlord]"
CENSUS = ("All tenants with contact details on file were invited (a census); "
          "no sample was drawn.")  # fmt: skip


@dataclass(frozen=True)
class ApproachInputs:
    landlord: str
    weighting: str  # one sentence: "None" or how the weights were made
    sampling: str = ""
    incentives: str = ""
    surveyor: str = ""


def summary_of_approach(
    tsm: TsmResults, inputs: ApproachInputs, words: Words | None = None
) -> list[tuple[str, str]]:
    """(heading, sentences) for each item the regulator expects, in order."""
    return [
        ("Achieved sample", _achieved(tsm.sample)),
        ("Fieldwork dates", _dates(tsm.responses)),
        ("Collection methods", _methods(tsm.responses)),
        ("Sampling method", inputs.sampling or CENSUS),
        ("Representativeness", _representative(tsm.representativeness, words or Words())
                               if tsm.respondents else "No responses yet."),
        ("Weighting", inputs.weighting),
        ("Exclusions", _exclusions(tsm)),
        ("Incentives", inputs.incentives or TO_COMPLETE),
        ("Who carried out the survey", inputs.surveyor or
         f"{inputs.landlord}, using its own survey service. {TO_COMPLETE}"),
    ]  # fmt: skip


def as_text(items: list[tuple[str, str]], landlord: str) -> str:
    """The summary as plain text, for the landlord to edit before publishing."""
    lines = [f"Tenant Satisfaction Measures: summary of approach ({landlord})", ""]
    for heading, body in items:
        lines += [heading, body, ""]
    return "\n".join(lines)


def _achieved(sample: pd.DataFrame) -> str:
    parts = []
    shown = informative_groups(sample, "respondent", "tenure")  # no lone "not known" tenure
    for _, row in shown.table.iterrows():
        group = str(row["group"])
        name = "All tenants" if group == "all tenants" else TENURE_WORDS.get(group, group)
        if pd.isna(row["achieved"]):
            parts.append(f"{name}: fewer than 10 responses (not shown).")
            continue
        text = f"{name}: {int(row['achieved']):,} responses"
        if not pd.isna(row["required"]):
            met = "met" if bool(row["met"]) else "not met"
            margin = float(row["achieved_margin_points"])
            # With no responses there is no margin to state (it is not a number).
            achieved = f"; achieved ±{margin:.1f} points" if not pd.isna(margin) else ""
            text += (f" against {int(row['required']):,} required for "
                     f"{_homes(int(row['relevant_homes']))} (±"
                     f"{float(row['accuracy_points']):.0f} points at 95% confidence: {met}"
                     f"{achieved})")  # fmt: skip
        parts.append(text + ".")
    return " ".join([*parts, shown.note]).strip()


def _homes(count: int) -> str:
    return f"{count:,} relevant home" + ("" if count == 1 else "s")


def _dates(responses: pd.DataFrame) -> str:
    if responses.empty:
        return "No responses yet."
    when = pd.to_datetime(responses["answered_at"], utc=True)
    return f"From {when.min():%d %B %Y} to {when.max():%d %B %Y}."


def _methods(responses: pd.DataFrame) -> str:
    if responses.empty:
        return "No responses yet."
    per = responses.drop_duplicates("respondent_id")["channel"].astype(str).value_counts()
    total = int(per.sum())
    shares = [f"{CHANNEL_WORDS.get(str(c), str(c))} {100 * n / total:.0f}% ({n:,})"
              for c, n in per.items()]  # fmt: skip
    return ("Self-completion conversations by SMS, Telegram and web chat, in the tenant's "
            f"language. Share of responses: {'; '.join(shares)}.")  # fmt: skip


def _representative(table: pd.DataFrame, words: Words) -> str:
    # An attribute not known for any tenant cannot differ: it is named as not compared.
    shown = informative(table, "tenant", by="attribute")
    return " ".join(filter(None, [_gaps(shown.table, words), shown.note]))


def _gaps(table: pd.DataFrame, words: Words) -> str:
    if table.empty:
        return ""
    flagged = table[table["flag"].astype(str) != ""]
    if flagged.empty:
        compared = sorted(table["attribute"].astype(str).unique(), key=dimension)
        return (f"Respondents' shares of {listed(compared)} are within 5 percentage points of "
                "the tenant base.")  # fmt: skip
    names = [f"{ATTRIBUTE_WORDS.get(str(r['attribute']), str(r['attribute'])).lower()} "
             f"“{words.value(r['group'], str(r['attribute']))}” ({r['flag']})"
             for _, r in flagged.iterrows()]  # fmt: skip
    return (
        f"{len(flagged)} groups differ from the tenant base by more than 5 percentage "
        f"points: {', '.join(names[:8])}{' and others' if len(names) > 8 else ''}."
    )


def _exclusions(tsm: TsmResults) -> str:
    excluded = int(tsm.responses["excluded"].astype(bool).sum()) if len(tsm.responses) else 0
    return (f"{tsm.anonymous:,} anonymous responses (not matched to a tenancy) and "
            f"{tsm.repeat_surveys:,} earlier surveys of tenants who answered again were left "
            f"out; {excluded:,} “don't know” answers were left out of the measures that "
            "offer it. Each tenant counts once (their latest survey).")  # fmt: skip
