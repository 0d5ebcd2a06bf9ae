"""TSM figures against a hand-computed fixture: % satisfied, Wilson intervals, "don't know"
handling, suppression of small cells, required responses and representativeness."""

from __future__ import annotations

import datetime
import math

import pandas as pd
import pytest

from analysis.frames.catalog import Catalog
from analysis.tsm.measures import (
    latest_sessions,
    measure_responses,
    measure_specs,
    satisfaction_table,
    wilson_interval,
)
from analysis.tsm.run import tsm_from_answers
from analysis.tsm.sample import (
    accuracy_for,
    achieved_margin,
    representativeness,
    required_responses,
)
from bot.questionnaire.registry import load_questionnaire
from bot.settings import DEFAULT_QUESTIONNAIRES

TSM = load_questionnaire(DEFAULT_QUESTIONNAIRES / "tsm_perception.yaml")
START = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)

# The fixture: 40 tenants (respondent ids 1-40), one survey each (session = respondent id).
# Channel: 1-25 SMS, 26-40 Telegram. Tenure: 1-32 low-cost rental, 33-40 shared ownership.
# TP01 (no "don't know" allowed): 1-28 satisfied (codes 1/2), 29-38 not (3/4/5),
#   39 answered code 9 ("don't know": not a choice of TP01), 40 skipped.
# TP05 ("don't know" allowed): 1-20 satisfied, 21-30 not, 31-40 "don't know" (code 9).
# Respondent 1 also took an earlier survey (session 100), very dissatisfied with both: only
# their latest survey counts.


def _answer(
    session: int, respondent: int, question: str, code: int | None, minute: int
) -> dict[str, object]:
    return {
        "answer_id": len(ROWS) + 1, "session_id": session, "respondent_id": respondent,
        "questionnaire_id": "tsm_perception", "questionnaire_version": TSM.version,
        "question": question, "skipped": code is None,
        "channel": "sms" if respondent <= 25 else "telegram",
        "answered_at": START + datetime.timedelta(minutes=minute), "value_code": code,
    }  # fmt: skip


ROWS: list[dict[str, object]] = []
for tenant in range(1, 41):
    tp01 = (1 + tenant % 2) if tenant <= 28 else (3 + tenant % 3) if tenant <= 38 else None
    tp01 = 9 if tenant == 39 else tp01
    tp05 = (1 + tenant % 2) if tenant <= 20 else (3 + tenant % 3) if tenant <= 30 else 9
    ROWS.append(_answer(tenant, tenant, "tp01_overall", tp01, 60 + tenant))
    ROWS.append(_answer(tenant, tenant, "tp05_safe_home", tp05, 61 + tenant))
ROWS.append(_answer(100, 1, "tp01_overall", 5, 0))
ROWS.append(_answer(100, 1, "tp05_safe_home", 5, 1))


def answers() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS)
    frame["value_code"] = frame["value_code"].astype("Int64")
    return frame


def catalog() -> Catalog:
    versions = pd.DataFrame([(1, TSM.id, TSM.version)],
                            columns=["version_id", "questionnaire_id", "version"])  # fmt: skip
    return Catalog(versions, pd.DataFrame(), pd.DataFrame(), {1: TSM})


def tenants() -> pd.DataFrame:
    index = pd.Index(range(1, 41), name="respondent_id")
    tenure = ["low_cost_rental" if n <= 32 else "shared_ownership" for n in index]
    return pd.DataFrame({"tenure": tenure, "area": "North", "age_band": pd.NA,
                         "ethnicity": pd.NA}, index=index)  # fmt: skip


def table() -> pd.DataFrame:
    responses = latest_sessions(measure_responses(answers(), measure_specs([TSM])))
    tenure = tenants()["tenure"].reindex(responses["respondent_id"].to_numpy())
    tenure.index = responses.index
    return satisfaction_table(
        responses, breakdowns={"channel": responses["channel"], "tenure": tenure}, min_cell=10
    )


def cell(frame: pd.DataFrame, measure: str, breakdown: str, group: str) -> pd.Series:
    rows = frame[(frame["measure"] == measure) & (frame["breakdown"] == breakdown)
                 & (frame["group"] == group)]  # fmt: skip
    assert len(rows) == 1, rows
    return rows.iloc[0]


def close(value: object, expected: float) -> bool:
    return math.isclose(float(value), expected, abs_tol=0.01)  # type: ignore[arg-type]


def test_wilson_interval_by_hand() -> None:
    # 20 of 25, z = 1.96: z²/n = 3.8416/25 = 0.153664; d = 1.153664;
    # centre = (0.8 + 3.8416/50) / d = 0.876832 / 1.153664 = 0.760041;
    # half = 1.96/d · sqrt(0.8·0.2/25 + 3.8416/(4·625)) = 1.698942 · sqrt(0.00793664)
    #      = 1.698942 · 0.0890884 = 0.151356  ->  (0.608686, 0.911396).
    low, high = wilson_interval(20, 25)
    assert math.isclose(low, 0.608686, abs_tol=1e-5)
    assert math.isclose(high, 0.911396, abs_tol=1e-5)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_dont_know_counts_where_the_question_does_not_allow_it() -> None:
    # TP01 offers no "don't know": respondent 39's code 9 is a valid, not-satisfied answer;
    # respondent 40 skipped (no answer); respondent 1's earlier survey is not counted.
    # positive 28, valid 28 + 10 + 1 = 39: 28/39 = 71.79%.
    # Wilson: z²/n = 0.098503, d = 1.098503; centre = (0.717949 + 0.049251)/d = 0.698406;
    # half = 1.784247 · sqrt(0.717949·0.282051/39 + 3.8416/6084) = 1.784247 · 0.0763136
    #      = 0.136162  ->  56.22% to 83.46%.
    row = cell(table(), "TP01", "overall", "all tenants")
    assert (row["positive"], row["valid"], row["excluded"], row["dont_know_counted"]) == (
        28, 39, 0, 1,
    )  # fmt: skip
    assert close(row["percent"], 71.79) and close(row["ci_low"], 56.22)
    assert close(row["ci_high"], 83.46)


def test_dont_know_is_left_out_where_the_question_allows_it() -> None:
    # TP05 offers "don't know": 10 answers left out, so 20 satisfied of 30 valid = 66.67%
    # (not 20/40 = 50%). Wilson: z²/n = 0.128053, d = 1.128053;
    # centre = (0.666667 + 0.064027)/d = 0.647750;
    # half = 1.737526 · sqrt(0.222222/30 + 3.8416/3600) = 1.737526 · 0.0920570 = 0.159951
    # ->  48.78% to 80.77%.
    row = cell(table(), "TP05", "overall", "all tenants")
    assert (row["positive"], row["valid"], row["excluded"], row["dont_know_counted"]) == (
        20, 30, 10, 0,
    )  # fmt: skip
    assert close(row["percent"], 66.67) and close(row["ci_low"], 48.78)
    assert close(row["ci_high"], 80.77)


def test_breakdowns_by_channel_and_tenure() -> None:
    frame = table()
    # TP05 by SMS (1-25): 20 satisfied, 5 not: 80% (Wilson as in the first test).
    sms = cell(frame, "TP05", "channel", "sms")
    assert (sms["positive"], sms["valid"]) == (20, 25)
    assert close(sms["percent"], 80.0) and close(sms["ci_low"], 60.87)
    assert close(sms["ci_high"], 91.14)
    # TP01, low-cost rental (1-32): 28 satisfied of 32 = 87.5%. Wilson: z²/n = 0.12005,
    # d = 1.12005; centre = (0.875 + 0.060025)/d = 0.834806; half = 1.749922 ·
    # sqrt(0.109375/32 + 3.8416/4096) = 1.749922 · 0.0659990 = 0.115493 -> 71.93% to 95.03%.
    rental = cell(frame, "TP01", "tenure", "low_cost_rental")
    assert (rental["positive"], rental["valid"]) == (28, 32)
    assert close(rental["percent"], 87.5) and close(rental["ci_low"], 71.93)
    assert close(rental["ci_high"], 95.03)


def test_cells_below_the_minimum_are_suppressed() -> None:
    frame = table()
    # TP05 by Telegram: 5 valid answers (26-30; 31-40 said "don't know"); TP01 for shared
    # ownership: 7 valid (33-39). Both under 10: every count and figure is blanked.
    for measure, breakdown, group in (("TP05", "channel", "telegram"),
                                      ("TP01", "tenure", "shared_ownership")):  # fmt: skip
        row = cell(frame, measure, breakdown, group)
        assert row["suppressed"]
        for column in ("positive", "valid", "excluded", "percent", "ci_low", "ci_high"):
            assert pd.isna(row[column]), column
    assert not cell(frame, "TP05", "channel", "sms")["suppressed"]


def test_required_responses() -> None:
    # 4,323 homes fall in the 2,500-9,999 band: ±4%. n0 = 1.96² · 0.25 / 0.04² = 600.25;
    # n = 600.25 / (1 + 599.25/4323) = 600.25 / 1.138619 = 527.18 -> 528.
    assert accuracy_for(4_323) == 0.04
    assert required_responses(4_323) == 528
    assert (accuracy_for(2_499), accuracy_for(2_500), accuracy_for(10_000)) == (0.05, 0.04, 0.03)
    # 1,000 homes at ±5%: n0 = 384.16; 384.16 / (1 + 383.16/1000) = 277.74 -> 278.
    assert required_responses(1_000) == 278
    assert math.isclose(achieved_margin(528, 4_323), 0.04, abs_tol=0.0002)
    with pytest.raises(ValueError, match="at least 1"):
        required_responses(0)


def test_representativeness_flags_gaps_and_suppresses_small_groups() -> None:
    # 100 tenants: 50 North, 42 South, 8 East. 40 respondents: 30 North, 10 South, 0 East.
    # North: 75% of respondents vs 50% of tenants (+25 points, over); South 25% vs 42%
    # (-17, under); East has 8 tenants: suppressed.
    index = pd.Index(range(1, 101), name="respondent_id")
    area = ["North"] * 50 + ["South"] * 42 + ["East"] * 8
    base = pd.DataFrame({"area": area}, index=index)
    answered = pd.Index(list(range(1, 31)) + list(range(51, 61)))
    table = representativeness(base, answered, attributes=("area",), min_cell=10)
    rows = table.set_index("group")
    assert rows.loc["North", "flag"] == "over"
    assert close(rows.loc["North", "difference_points"], 25.0)
    assert rows.loc["South", "flag"] == "under"
    assert close(rows.loc["South", "difference_points"], -17.0)
    assert rows.loc["East", "suppressed"] and pd.isna(rows.loc["East", "tenants"])
    assert rows.loc["East", "flag"] == ""


def test_age_bands_read_youngest_first_and_other_groups_largest_first() -> None:
    bands = ["age_65_74"] * 30 + ["age_16_24"] * 12 + [None] * 40 + ["prefer_not_to_say"] * 11
    bands += ["age_35_44"] * 20
    areas = ["North"] * 13 + ["South"] * 100
    index = pd.Index(range(1, len(bands) + 1), name="respondent_id")
    base = pd.DataFrame({"age_band": bands, "area": areas}, index=index)
    table = representativeness(base, index, attributes=("age_band", "area"), min_cell=1)
    groups = table.groupby("attribute", sort=False)["group"].apply(list).to_dict()
    assert groups["age_band"] == [
        "age_16_24", "age_35_44", "age_65_74", "prefer_not_to_say", "not known"
    ]  # fmt: skip
    assert groups["area"] == ["South", "North"]


def test_the_whole_tsm_from_answers() -> None:
    results = tsm_from_answers(answers(), catalog=catalog(), tenants=tenants(), homes=4_323)
    # Achieved: tenants with at least one valid measure answer. 40 skipped TP01 and said
    # "don't know" to TP05 (left out), so 1-39: 39 of the 528 needed for 4,323 homes.
    overall = results.sample.set_index("group").loc["all tenants"]
    assert (overall["required"], overall["achieved"], overall["met"]) == (528, 39, False)
    assert results.respondents == 39
    shares = results.sample.set_index("group")
    assert shares.loc["low_cost_rental", "achieved"] == 32
    assert shares.loc["shared_ownership", "suppressed"]  # 7 respondents: under 10
    assert set(results.measures["breakdown"]) == {"overall", "channel", "tenure"}
