"""`doorstep report` on demo data, opened in a real headless Chromium (Playwright): every
chart is there and visible, nothing is fetched from anywhere, the page reads in words (no
codes, `nan`, True/False), it prints to A4, and the CSVs match. Screenshots and the PDF are
kept in test-artifacts/report (git-ignored) for a person to look at."""

from __future__ import annotations

import csv
import re
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
    "chart-tsm-tenure", "chart-repairs-contractor", "chart-repairs-trade", "chart-key-drivers",
    "chart-themes",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "report"
# What a reader must never see: empty values, Python booleans, snake_case codes.
NOT_WORDS = re.compile(r"\bnan\b|\bNaN\b|\bTrue\b|\bFalse\b|\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")
# A number cell as published: "12,345", "−1.9" (a minus sign, not a hyphen), "66.0%",
# "62.9–68.9", or said in words.
FIGURE = re.compile(r"\u2212?\d{1,3}(?:,\d{3})*(?:\.\d)?%?|\d+\.\d–\d+\.\d|too few to show|")


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


def test_report_in_headless_chromium(demo_report: Path, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo_report.as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-1280.png"), full_page=True)
    assert (ARTIFACTS / "report-1280.png").stat().st_size > 10_000
    # The first thing on the page is the headline, then the TSM with the regulator's words.
    headings = page.locator("main h2").all_inner_texts()
    assert headings[:3] == ["At a glance", "Tenant Satisfaction Measures", "Summary of approach"]
    measures = page.locator("table.measures").inner_text()
    assert "TP01\tTaking everything into account" in measures and "${" not in measures
    for chart in CHARTS:
        figure = page.locator(f"figure#{chart}")
        assert figure.count() == 1, chart
        assert figure.is_visible(), chart
        if figure.locator("p.empty").count():  # nothing to draw: a sentence says so
            assert figure.locator("svg").count() == 0, chart
            continue
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
    for summary in page.locator("details").all():  # the tables behind the charts too
        summary.evaluate("element => element.open = true")
    text = page.locator("body").inner_text()
    assert NOT_WORDS.findall(text) == []
    assert "suppressed" not in text.lower()  # said in words: "too few to show"
    # Numbers right-aligned with a thousands separator, text left-aligned.
    numbers = page.locator("table.figures td.num").all_inner_texts()
    assert numbers and [n for n in numbers if not FIGURE.fullmatch(n.strip())] == []
    aligned = page.evaluate(
        "[...document.querySelectorAll('table.figures th, table.figures td')]"
        ".map(c => [c.classList.contains('num'), getComputedStyle(c).textAlign])"
    )
    assert {align for number, align in aligned if number} == {"right"}
    assert {align for number, align in aligned if not number} == {"left"}
    # Pseudonymous aggregates only: no tenant reference or address reaches the page.
    html = demo_report.read_text(encoding="utf-8")
    assert "DEMO-0" not in html and "demo-sms-" not in html
    page.close()


def test_report_prints_to_a4(demo_report: Path, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(demo_report.as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    # Each section starts on a new page; tables behind the charts are printed open.
    breaks = page.evaluate(
        "[...document.querySelectorAll('main > section')].map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] == "auto" and set(breaks[1:]) == {"page"}
    assert page.locator("nav").is_hidden()
    pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 9  # at least one A4 page per section
    page.close()


def test_report_csvs_beside_the_html(demo_report: Path, settings: Settings) -> None:
    folder = demo_report.parent
    names = {path.name for path in folder.glob("*.csv")}
    assert names == {
        "segments.csv", "channel_mix.csv", "response_rates.csv", "tsm_measures.csv",
        "tsm_sample.csv", "tsm_representativeness.csv", "repairs_over_time.csv",
        "translations.csv", "themes.csv", "themes_over_time.csv", "key_drivers.csv",
    }  # fmt: skip
    approach = (folder / "summary_of_approach.txt").read_text(encoding="utf-8")
    assert "Fieldwork dates" in approach and "[to be completed by the landlord]" in approach
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
        result = CliRunner().invoke(app, ["report", "--output", str(tmp_path / "out"), "--weight"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    # Twelve places for a chart: drawn, or left out with a sentence saying why.
    counted = re.search(r"with (\d+) charts(?: \((\d+) more left out)?", result.output)
    assert "Report written to" in result.output and counted is not None
    assert int(counted[1]) + int(counted[2] or 0) == 12 and int(counted[1]) > 0
    assert (tmp_path / "out" / "report.html").exists()
    # Weighting was chosen: the weighted table is written and the approach says how.
    assert (tmp_path / "out" / "tsm_weighted.csv").exists()
    approach = (tmp_path / "out" / "summary_of_approach.txt").read_text(encoding="utf-8")
    # The demo's tenant base has no age band, area or tenure: the approach says so
    # instead of claiming weights on them.
    assert "there was nothing to weight on" in approach and "Rim weights" not in approach
