"""A breakdown whose only group is "not known" is left out of the report, and one sentence
says so in its place (analysis/breakdowns.py); a breakdown with known groups stays.

The report cases run the demo population (no tenure, area, age band or ethnic group on
file) through `write_report` and open the page in headless Chromium; then add the landlord's
records (tenure and area) and check the tenure breakdown is back. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from playwright.sync_api import Browser, Page

from analysis.breakdowns import informative, informative_groups, not_shown, unknown_only
from analysis.demo.landlord_records import add_landlord_records
from analysis.report.build import weighting_sentence, write_report
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database
from tests.support.demo import Demo

TENURE = "The breakdown by tenure is not shown because tenure is not known for any respondent."
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "report"


def _table(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["breakdown", "group", "valid"])


def test_only_a_breakdown_made_of_not_known_is_left_out() -> None:
    table = _table([
        ("overall", "all tenants", 40), ("channel", "sms", 25), ("channel", "webchat", 15),
        ("tenure", "not known", 40), ("area", "North", 30), ("area", "not known", 10),
    ])  # fmt: skip
    assert unknown_only(table) == ["tenure"]
    shown = informative(table, "respondent")
    assert shown.note == TENURE
    assert "tenure" not in set(shown.table["breakdown"])
    assert len(shown.table) == 5  # area keeps its "not known" beside North
    everything = informative(table[table["breakdown"] != "tenure"], "respondent")
    assert everything.note == "" and len(everything.table) == 5


def test_the_sentence_names_every_breakdown_left_out() -> None:
    assert not_shown(["age_band", "ethnicity"], "tenant") == (
        "The breakdowns by age band and ethnic group are not shown because none of them is "
        "known for any tenant."
    )
    repairs = _table([("contractor", "not recorded", 12), ("trade", "plumbing", 12)])
    assert informative(repairs, "repair job").note == (
        "The breakdown by contractor is not shown because contractor is not recorded for any "
        "repair job."
    )


def test_the_overall_row_of_a_sample_table_always_stays() -> None:
    sample = pd.DataFrame({"group": ["all tenants", "not known"], "achieved": [50, 50]})
    shown = informative_groups(sample, "respondent", "tenure")
    assert shown.table["group"].tolist() == ["all tenants"] and shown.note == TENURE
    assert list(shown.table.columns) == ["group", "achieved"]
    known = pd.DataFrame({"group": ["all tenants", "low_cost_rental", "not known"]})
    assert informative_groups(known, "respondent", "tenure").table.equals(known)


def _opened(browser: Browser, html: Path) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(html.as_uri())
    for summary in page.locator("details").all():  # the tables behind the charts too
        summary.evaluate("element => element.open = true")
    return page


def test_a_report_without_tenure_says_so_and_with_tenure_shows_it(
    database: Database, registry: QuestionnaireRegistry, settings: Settings, demo: Demo,
    browser: Browser, tmp_path: Path,
) -> None:  # fmt: skip
    demo(150, rounds=4)
    files = write_report(database, registry, settings, tmp_path / "without")
    page = _opened(browser, files.html)
    tenure = page.locator("figure#chart-tsm-tenure")
    assert tenure.is_visible()
    assert tenure.locator("p.empty").inner_text() == TENURE
    assert tenure.locator("svg").count() == 0 and tenure.locator("table").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tenure.screenshot(path=str(ARTIFACTS / "tenure-not-known.png"))
    tsm = page.locator("section#tsm").inner_text()
    assert tsm.count(TENURE) == 2  # in place of the chart and of the per-tenure rows
    assert "none of them is known for any tenant" in tsm  # representativeness
    groups = page.locator("figure#chart-response-groups p.empty").inner_text()
    assert groups.startswith("The breakdowns by age band, tenure, area and ethnic group")
    assert TENURE in page.locator("dl.approach").inner_text()  # the summary of approach
    assert "Not known" not in page.locator("body").inner_text()
    page.close()
    with (files.html.parent / "tsm_measures.csv").open(encoding="utf-8") as handle:
        kept = {(row["breakdown"], row["group"]) for row in csv.DictReader(handle)}
    assert ("tenure", "not known") in kept  # the CSV keeps every row for analysts

    with database.engine.begin() as connection:
        assert add_landlord_records(connection) > 0  # tenure and area for every tenant
    files = write_report(database, registry, settings, tmp_path / "with")
    page = _opened(browser, files.html)
    tenure = page.locator("figure#chart-tsm-tenure")
    assert tenure.locator("p.empty").count() == 0 and tenure.locator("svg").count() == 1
    assert "Low-cost rental (LCRA)" in tenure.locator("table").inner_text()
    assert "is not shown because tenure" not in page.locator("body").inner_text()
    assert "Low-cost rental (LCRA)" in page.locator("dl.approach").inner_text()
    page.close()


def test_the_weighting_sentence_names_only_what_is_known() -> None:
    """The summary of approach is published: it never claims weights on an attribute that
    no tenant has."""
    unknown = [None, None]
    some = weighting_sentence(
        pd.DataFrame({"age_band": unknown, "area": ["North", "South"], "tenure": unknown})
    )
    assert some.startswith("Rim weights (raking) to the tenant base on area, trimmed")
    assert some.endswith("Not weighted on age band and tenure: not known for any tenant.")
    none = weighting_sentence(pd.DataFrame({"age_band": unknown, "area": unknown}))
    assert "Rim weights" not in none
    assert "age band, area and tenure are not known for any tenant" in none
    every = weighting_sentence(
        pd.DataFrame(
            {
                "age_band": ["25-34", None],
                "area": ["North", None],
                "tenure": ["general needs", None],
            }
        )
    )
    assert "on age band, area and tenure, trimmed" in every and "Not weighted" not in every
