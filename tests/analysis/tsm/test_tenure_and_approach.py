"""TSM per tenure against a hand-computed fixture, anonymous respondents left out, and the
summary of approach holding every item the regulator expects."""

from __future__ import annotations

import datetime
import re

import pandas as pd

from analysis.frames.catalog import Catalog
from analysis.tsm.approach import TO_COMPLETE, ApproachInputs, as_text, summary_of_approach
from analysis.tsm.run import tsm_from_answers
from analysis.tsm.sample import age_bands, required_responses
from bot.questionnaire.registry import load_questionnaire
from bot.settings import DEFAULT_QUESTIONNAIRES

TSM = load_questionnaire(DEFAULT_QUESTIONNAIRES / "tsm_perception.yaml", landlord_name="Acme")
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

# 60 tenants (ids 1-60): 1-40 low-cost rental, 41-60 shared ownership (LCHO).
# TP01: LCRA 1-30 satisfied, 31-40 not -> 30/40 = 75%; LCHO 41-52 satisfied, 53-60 not
# -> 12/20 = 60%. Channels: odd ids SMS, even ids web chat. Answers on 2 March (ids 1-30)
# and 20 April 2026 (ids 31-60). Ids 901-905 are anonymous web chat visitors (no tenancy),
# all very dissatisfied: they must change nothing.


def _rows() -> list[dict[str, object]]:
    rows = []
    for n in [*range(1, 61), *range(901, 906)]:
        satisfied = n <= 30 or 41 <= n <= 52
        day = 0 if n <= 30 else 49
        rows.append({
            "answer_id": n, "session_id": n, "respondent_id": n,
            "questionnaire_id": "tsm_perception", "questionnaire_version": TSM.version,
            "question": "tp01_overall", "skipped": False,
            "channel": "sms" if n % 2 else "webchat",
            "answered_at": START + datetime.timedelta(days=day, minutes=n),
            "value_code": (1 + n % 2) if satisfied and n < 900 else 5,
        })  # fmt: skip
    return rows


def _answers() -> pd.DataFrame:
    frame = pd.DataFrame(_rows())
    frame["value_code"] = frame["value_code"].astype("Int64")
    return frame


def _catalog() -> Catalog:
    versions = pd.DataFrame([(1, TSM.id, TSM.version)],
                            columns=["version_id", "questionnaire_id", "version"])  # fmt: skip
    return Catalog(versions, pd.DataFrame(), pd.DataFrame(), {1: TSM})


def _tenants() -> pd.DataFrame:
    index = pd.Index(range(1, 61), name="respondent_id")
    tenure = ["low_cost_rental" if n <= 40 else "shared_ownership" for n in index]
    return pd.DataFrame({"tenure": tenure, "area": "North", "age_band": pd.NA,
                         "ethnicity": pd.NA}, index=index)  # fmt: skip


def _results(homes: int = 3_000):  # type: ignore[no-untyped-def]
    return tsm_from_answers(_answers(), catalog=_catalog(), tenants=_tenants(), homes=homes)


def test_measures_per_tenure_by_hand() -> None:
    results = _results()
    tp01 = results.measures[results.measures["measure"] == "TP01"].set_index(["breakdown", "group"])
    assert float(tp01.loc[("tenure", "low_cost_rental"), "percent"]) == 75.0
    assert float(tp01.loc[("tenure", "shared_ownership"), "percent"]) == 60.0
    assert int(tp01.loc[("overall", "all tenants"), "valid"]) == 60  # anonymous left out
    assert float(tp01.loc[("overall", "all tenants"), "percent"]) == 70.0
    assert {"sms", "webchat"} <= set(tp01.loc["channel"].index)  # by channel, always
    assert results.anonymous == 5 and results.respondents == 60


def test_required_and_met_per_tenure_by_hand() -> None:
    # 3,000 relevant homes (±4%): n0 = 1.96² x 0.25 / 0.04² = 600.25, / (1 + 599.25 / 3000)
    # = 500.3 -> 501. 40:20 on file -> LCRA 2,000 homes (±5%), LCHO 1,000 (±5%):
    # n0 = 1.96² x 0.25 / 0.05² = 384.16;
    # LCRA 384.16 / (1 + 383.16 / 2000) = 322.39 -> 323; LCHO / (1 + 383.16 / 1000) -> 278.
    sample = _results().sample.set_index("group")
    assert (sample.loc["all tenants", "relevant_homes"], sample.loc["all tenants", "required"]) \
        == (3_000, 501)  # fmt: skip
    assert sample.loc["low_cost_rental", "relevant_homes"] == 2_000
    assert sample.loc["low_cost_rental", "required"] == 323 == required_responses(2_000)
    assert sample.loc["shared_ownership", "relevant_homes"] == 1_000
    assert sample.loc["shared_ownership", "required"] == 278
    assert sample.loc["low_cost_rental", "achieved"] == 40
    assert not sample.loc["low_cost_rental", "met"]
    # A landlord this small: the 60 homes on file are the relevant homes; LCHO needs all 20.
    small = tsm_from_answers(_answers(), catalog=_catalog(), tenants=_tenants()).sample
    small = small.set_index("group")
    assert small.loc["shared_ownership", "required"] == 20
    assert bool(small.loc["shared_ownership", "met"])


def test_summary_of_approach_holds_every_item() -> None:
    inputs = ApproachInputs("Acme", "None: every response counts the same.",
                            incentives="A £50 prize draw.")  # fmt: skip
    items = dict(summary_of_approach(_results(), inputs))
    assert list(items) == [
        "Achieved sample", "Fieldwork dates", "Collection methods", "Sampling method",
        "Representativeness", "Weighting", "Exclusions", "Incentives",
        "Who carried out the survey",
    ]  # fmt: skip
    assert "Low-cost rental (LCRA): 40 responses against 323 required" in items["Achieved sample"]
    assert "Low-cost home ownership (LCHO): 20 responses" in items["Achieved sample"]
    assert items["Fieldwork dates"] == "From 02 March 2026 to 20 April 2026."
    assert "SMS 50% (30)" in items["Collection methods"]
    assert "Web chat 50% (30)" in items["Collection methods"]
    assert "census" in items["Sampling method"]
    assert "None" in items["Weighting"]
    assert items["Exclusions"].startswith("5 anonymous responses")
    assert items["Incentives"] == "A £50 prize draw."
    assert TO_COMPLETE in items["Who carried out the survey"]
    text = as_text(list(items.items()), "Acme")
    assert text.splitlines()[0].endswith("(Acme)") and "{" not in text and "_" not in text


def test_age_bands_from_year_of_birth() -> None:
    years = pd.Series([1990, 1941, None, 2015], index=[1, 2, 3, 4])
    bands = age_bands(years, datetime.date(2026, 6, 1))
    assert bands.tolist()[:2] == ["age_35_44", "age_85_plus"]
    assert pd.isna(bands.iloc[2]) and pd.isna(bands.iloc[3])  # unknown; under 16


def test_summary_of_approach_before_any_response_says_so_in_words() -> None:
    empty = _answers().iloc[0:0]
    results = tsm_from_answers(empty, catalog=_catalog(), tenants=_tenants(), homes=3_000)
    items = dict(summary_of_approach(results, ApproachInputs("Acme", "None.")))
    assert "0 responses against" in items["Achieved sample"]
    assert not re.search(r"\bnan\b", items["Achieved sample"], flags=re.IGNORECASE)
    assert items["Fieldwork dates"] == "No responses yet."
    assert items["Representativeness"] == "No responses yet."  # not "within 5 points"
