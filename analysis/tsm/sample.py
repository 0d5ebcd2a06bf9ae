"""How many TSM responses a landlord needs, and how well respondents mirror the tenant base.

Required responses follow the regulator's accuracy bands at 95% confidence: fewer than
2,500 relevant homes ±5%, 2,500-9,999 ±4%, 10,000 or more ±3%;
n0 = 1.96² · 0.25 / e², n = n0 / (1 + (n0 − 1) / N), rounded up (4,323 homes → 528).

Representativeness compares, for each attribute (age band, area, ethnicity, tenure), each
group's share of respondents with its share of all tenants; a gap wider than the threshold
(5 percentage points by default) is flagged. "Not known" is a group of its own, so a survey
that mostly reaches tenants whose details are on file shows up too.
"""

from __future__ import annotations

import datetime
import math

import pandas as pd
from sqlalchemy import Connection, select

from analysis.frames.catalog import Catalog
from analysis.frames.sql import json_text, read_frame
from analysis.frames.values import decode_values
from analysis.tsm.measures import Z95, suppress
from bot.storage.tables import PROFILE, RESPONDENTS

ATTRIBUTES = ("tenure", "area", "age_band", "ethnicity")
# Age bands of the tenant profile questionnaire, by the first age in each.
AGE_BANDS = (
    (85, "age_85_plus"), (75, "age_75_84"), (65, "age_65_74"), (55, "age_55_64"),
    (45, "age_45_54"), (35, "age_35_44"), (25, "age_25_34"), (16, "age_16_24"),
)  # fmt: skip
GAP_POINTS = 5.0
NOT_KNOWN = "not known"


def accuracy_for(homes: int) -> float:
    """The margin of error the regulator expects for a landlord of this size (a fraction)."""
    if homes < 2_500:
        return 0.05
    if homes < 10_000:
        return 0.04
    return 0.03


def required_responses(homes: int, margin: float | None = None) -> int:
    """Responses needed for ±margin at 95% confidence among `homes` relevant homes."""
    if homes < 1:
        raise ValueError("The number of relevant homes must be at least 1.")
    e = margin if margin is not None else accuracy_for(homes)
    n0 = Z95 * Z95 * 0.25 / (e * e)
    # Rounded to 9 places first, so floating-point noise never adds a whole response.
    return math.ceil(round(n0 / (1 + (n0 - 1) / homes), 9))


def achieved_margin(responses: int, homes: int) -> float:
    """The ±margin (a fraction) that `responses` give, finite population corrected."""
    if responses < 1:
        return math.nan
    correction = (homes - responses) / (homes - 1) if homes > 1 else 0.0
    return Z95 * math.sqrt(0.25 / responses * max(correction, 0.0))


def sample_table(
    homes: int, achieved: dict[str, int], group_homes: dict[str, int] | None = None
) -> pd.DataFrame:
    """One row per group (e.g. "all tenants", then each tenure): N, accuracy, needed, got.

    LCRA and LCHO are reported separately, so each tenure with its own number of relevant
    homes in `group_homes` gets its own accuracy band, required responses and "met"; a
    group without one (e.g. tenure not known) shows only what it achieved.
    """
    sizes = {"all tenants": homes, **(group_homes or {})}
    rows = []
    for group, got in achieved.items():
        size = sizes.get(group)
        if not size:
            rows.append({"group": group, "relevant_homes": pd.NA, "accuracy_points": pd.NA,
                         "required": pd.NA, "achieved": got, "met": pd.NA,
                         "achieved_margin_points": pd.NA})  # fmt: skip
            continue
        need = required_responses(size)
        rows.append({
            "group": group, "relevant_homes": size, "accuracy_points": 100 * accuracy_for(size),
            "required": need, "achieved": got, "met": got >= need,
            "achieved_margin_points": round(100 * achieved_margin(got, size), 2),
        })  # fmt: skip
    return pd.DataFrame(rows)


def tenant_attributes(
    connection: Connection, catalog: Catalog, today: datetime.date | None = None
) -> pd.DataFrame:
    """Every tenant not erased, indexed by respondent id, with tenure, area, age band and
    ethnicity as names ("low_cost_rental", "age_35_44", "white_british"; empty if not told).

    A tenant is a respondent with a tenant reference: anonymous web chat visitors are not
    homes and never join the base. Imported values are stored as text and questionnaire
    answers as choice codes; codes are turned into choice names with the questionnaire that
    wrote them. Where no age band was told, one is worked out from an imported year of
    birth (or an imported age band is used as it is).
    """
    people = read_frame(
        connection, select(RESPONDENTS.c.id.label("respondent_id"))
        .where(RESPONDENTS.c.erased_at.is_(None), RESPONDENTS.c.tenant_ref.is_not(None))
    )  # fmt: skip
    query = select(
        PROFILE.c.id, PROFILE.c.respondent_id, PROFILE.c.name,
        json_text(PROFILE.c.value).label("value_json"),
    ).where(PROFILE.c.superseded_at.is_(None),
            PROFILE.c.name.in_((*ATTRIBUTES, "year_of_birth")))  # fmt: skip
    profile = read_frame(connection, query, categories=("name",), texts=("value_json",))
    result = pd.DataFrame(
        index=pd.Index(people["respondent_id"].astype("int64"), name="respondent_id")
    )
    if profile.empty:
        for name in ATTRIBUTES:
            result[name] = pd.Series(pd.NA, index=result.index, dtype="string")
        return result
    profile = profile.sort_values("id").drop_duplicates(["respondent_id", "name"], keep="last")
    decoded = decode_values(profile["value_json"])
    for name in ATTRIBUTES:
        rows = (profile["name"] == name).to_numpy()
        codes = decoded.loc[rows, "number"].astype("Int64").map(catalog.profile_choices(name))
        values = (
            decoded.loc[rows, "text"]
            .astype(object)
            .where(decoded.loc[rows, "text"].notna(), codes.astype(object))
        )
        series = pd.Series(values.to_numpy(), index=profile.loc[rows, "respondent_id"].to_numpy())
        result[name] = series.reindex(result.index).astype("string")
    born = (profile["name"] == "year_of_birth").to_numpy()
    years = decoded.loc[born, "number"].astype(float)
    years = years.where(years.notna(), pd.to_numeric(decoded.loc[born, "text"], errors="coerce"))
    from_import = pd.Series(years.to_numpy(), index=profile.loc[born, "respondent_id"].to_numpy())
    bands = age_bands(from_import.reindex(result.index), today or datetime.date.today())
    result["age_band"] = result["age_band"].fillna(bands)
    return result


def age_bands(years_of_birth: pd.Series, today: datetime.date) -> pd.Series:
    """The profile questionnaire's age band for each year of birth (empty if unknown)."""
    age = today.year - pd.to_numeric(years_of_birth, errors="coerce")
    bands = pd.Series(pd.NA, index=years_of_birth.index, dtype="string")
    for first, band in reversed(AGE_BANDS):
        bands[(age >= first).fillna(False).to_numpy()] = band
    return bands


def _in_reading_order(part: pd.DataFrame, attribute: str) -> pd.DataFrame:
    """Age bands youngest first, then any other answer, then "not known", as published
    tables show them; other attributes' groups largest first."""
    if attribute != "age_band":
        return part.sort_values(["tenants", "group"], ascending=[False, True])
    youngest_first = [name for _, name in reversed(AGE_BANDS)]
    rank = part["group"].map(
        lambda group: youngest_first.index(group) if group in youngest_first
        else len(youngest_first) + (group == NOT_KNOWN)
    )  # fmt: skip
    return part.assign(_rank=rank).sort_values(["_rank", "group"]).drop(columns="_rank")


def representativeness(
    tenants: pd.DataFrame,
    respondents: pd.Index,
    *,
    attributes: tuple[str, ...] = ATTRIBUTES,
    gap_points: float = GAP_POINTS,
    min_cell: int = 10,
) -> pd.DataFrame:
    """Per attribute and group: tenants, share of tenants, respondents, share of
    respondents, the difference in percentage points and a flag ("over"/"under") when the
    gap is wider than `gap_points`. Groups with fewer than `min_cell` respondents or
    tenants are suppressed (their flag too: it would hint at the count)."""
    answered = tenants.index.isin(respondents)
    parts = []
    for name in attributes:
        groups = tenants[name].astype(object).where(tenants[name].notna(), NOT_KNOWN)
        base = groups.value_counts()
        got = groups[answered].value_counts().reindex(base.index, fill_value=0)
        part = pd.DataFrame({
            "attribute": name, "group": base.index.astype(str), "tenants": base.to_numpy(),
            "respondents": got.to_numpy(),
        })  # fmt: skip
        part["tenant_share"] = 100 * part["tenants"] / max(int(base.sum()), 1)
        part["respondent_share"] = 100 * part["respondents"] / max(int(got.sum()), 1)
        part["difference_points"] = part["respondent_share"] - part["tenant_share"]
        gap = part["difference_points"].abs() > gap_points
        part["flag"] = ""
        part.loc[gap & (part["difference_points"] > 0), "flag"] = "over"
        part.loc[gap & (part["difference_points"] < 0), "flag"] = "under"
        parts.append(_in_reading_order(part, name))
    columns = ["attribute", "group", "tenants", "tenant_share", "respondents",
               "respondent_share", "difference_points", "flag"]  # fmt: skip
    table = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    table["_smallest"] = table[["tenants", "respondents"]].min(axis=1)
    result = suppress(table, "_smallest", min_cell).drop(columns="_smallest")
    result.loc[result["suppressed"], "flag"] = ""
    return result
