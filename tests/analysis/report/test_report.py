"""`doorstep report` on demo data, opened in a real headless Chromium (Playwright): every
chart is there and visible, nothing is fetched from anywhere, and the CSVs match."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from typer.testing import CliRunner

from analysis.demo.landlord_records import add_landlord_records
from analysis.report.build import write_report
from analysis.segments.run import SegmentOptions, run_segmentation
from api.cli.main import app
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings, get_settings
from bot.storage.db import Database
from tests.support.demo import Demo

CHARTS = [
    "chart-segment-sizes", "chart-channel-mix", "chart-response-channel",
    "chart-response-segment", "chart-response-groups", "chart-tsm-overall", "chart-tsm-channel",
    "chart-tsm-tenure", "chart-repairs-contractor", "chart-repairs-trade",
]  # fmt: skip


@pytest.fixture
def demo_report(
    database: Database, registry: QuestionnaireRegistry, settings: Settings, demo: Demo,
    tmp_path: Path,
) -> Path:  # fmt: skip
    demo(300, rounds=8)
    with database.engine.begin() as connection:
        assert add_landlord_records(connection) > 0
        assert add_landlord_records(connection) == 0  # only what is missing
    run_segmentation(database, SegmentOptions(seed=3), registry=registry)
    steps: list[str] = []
    files = write_report(database, registry, settings, tmp_path / "report", step=steps.append)
    assert files.figures == CHARTS
    assert "Computing the Tenant Satisfaction Measures" in steps
    return files.html


def test_report_in_headless_chromium(demo_report: Path, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo_report.as_uri())
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    for chart in CHARTS:
        figure = page.locator(f"figure#{chart}")
        assert figure.count() == 1, chart
        assert figure.is_visible(), chart
        svg = figure.locator("svg[role=img]")
        assert svg.is_visible(), chart
        box = svg.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 40, chart
        assert figure.locator("figcaption").inner_text().strip(), chart
        assert figure.locator("svg title").count() == 1, chart
        assert figure.locator("table").count() == 1, chart  # the table alternative
    # Self-contained: the page itself is the only request; no scripts at all.
    assert requests == [demo_report.as_uri()]
    assert page.locator("script").count() == 0
    assert page.locator("h1").count() == 1
    text = page.locator("body").inner_text()
    assert "Wilson" in text and "reviewed" in text and "draft" in text
    # Pseudonymous aggregates only: no tenant reference or address reaches the page.
    html = demo_report.read_text(encoding="utf-8")
    assert "DEMO-0" not in html and "demo-sms-" not in html
    page.close()


def test_report_csvs_beside_the_html(demo_report: Path, settings: Settings) -> None:
    folder = demo_report.parent
    names = {path.name for path in folder.glob("*.csv")}
    assert names == {
        "segments.csv", "channel_mix.csv", "response_rates.csv", "tsm_measures.csv",
        "tsm_sample.csv", "tsm_representativeness.csv", "repairs_over_time.csv",
        "translations.csv",
    }  # fmt: skip
    with (folder / "tsm_measures.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["measure"] for row in rows} == {f"TP{n:02d}" for n in range(1, 13)}
    assert {row["breakdown"] for row in rows} == {"overall", "channel", "tenure"}
    for row in rows:
        if row["suppressed"] == "True":
            assert row["valid"] == "" and row["percent"] == ""
        else:
            assert int(row["valid"]) >= settings.report_min_cell
            assert float(row["ci_low"]) <= float(row["percent"]) <= float(row["ci_high"])
    with (folder / "repairs_over_time.csv").open(encoding="utf-8") as handle:
        repairs = list(csv.DictReader(handle))
    assert {row["breakdown"] for row in repairs} == {"contractor", "trade"}
    with (folder / "translations.csv").open(encoding="utf-8") as handle:
        statuses = {
            (r["questionnaire"], r["language"]): r["status"] for r in csv.DictReader(handle)
        }
    assert statuses[("tsm_perception", "en")] == "reviewed"
    assert statuses[("tsm_perception", "cy")] == "draft"


def test_report_command(
    database_url: str, demo: Demo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    demo(60, rounds=4)
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", "--output", str(tmp_path / "out")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output and "10 charts" in result.output
    assert (tmp_path / "out" / "report.html").exists()
