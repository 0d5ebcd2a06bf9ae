"""`doorstep report`: one self-contained HTML file plus the same tables as CSV beside it.

The HTML has no scripts and loads nothing: charts are inline SVG (`analysis.report.svg`),
styles are inline, and every chart is a `<figure id="chart-...">` with a caption and a
table of its figures. Only aggregates are shown, and cells with fewer respondents than
`report_min_cell` are suppressed. The page shows words (`analysis.words`); the CSVs
keep the codes for analysts' tools. The TSM summary of approach is also written as
`summary_of_approach.txt` for the landlord to edit before publishing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.breakdowns import listed
from analysis.exports.writers import neutralised
from analysis.frames.catalog import load_catalog
from analysis.frames.sql import reading
from analysis.report.charts import build_figures
from analysis.report.data import (
    all_sessions,
    channel_mix,
    latest_segments,
    repairs_over_time,
    response_rates,
    translation_status,
)
from analysis.report.headline import Headline, headline, open_damp_concerns, previous_measures
from analysis.report.render import render
from analysis.themes.comments import read_comments
from analysis.themes.themes import Themes, find_themes
from analysis.tsm.approach import ApproachInputs, as_text, summary_of_approach
from analysis.tsm.drivers import key_drivers
from analysis.tsm.measures import suppress
from analysis.tsm.run import TsmResults, tsm_results
from analysis.tsm.sample import tenant_attributes
from analysis.tsm.weighting import (
    TRIM_HIGH,
    TRIM_LOW,
    WEIGHT_ON,
    known_attributes,
    respondent_weights,
    weighted_measures,
)
from analysis.words import Words
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database

Step = Callable[[str], None]
NO_WEIGHTING = "None: every response counts the same."


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    csvs: list[Path]
    figures: list[str]  # chart ids
    tsm_respondents: int
    approach: Path | None = None
    not_drawn: list[str] = field(default_factory=list)  # shown as a sentence saying why


@dataclass
class ReportData:
    tables: dict[str, pd.DataFrame]
    words: Words
    tsm: TsmResults
    themes: Themes
    headline: Headline | None = None
    approach: list[tuple[str, str]] = field(default_factory=list)
    weighted: bool = False


def build_tables(
    database: Database, registry: QuestionnaireRegistry, settings: Settings, step: Step,
    *, weight: bool = False, previous: pd.DataFrame | None = None,
) -> ReportData:  # fmt: skip
    """Every table of the report, by file name (without .csv), and the page's words."""
    cell = settings.report_min_cell
    with reading(database) as connection:
        step("Reading questionnaires and the tenant base")
        catalog = load_catalog(connection, registry=registry)
        tenants = tenant_attributes(connection, catalog)
        step("Reading segments and surveys sent")
        segments, members = latest_segments(connection, cell)
        sessions = all_sessions(connection)
        step("Computing the Tenant Satisfaction Measures")
        tsm = tsm_results(
            connection, catalog=catalog, tenants=tenants, homes=settings.tsm_relevant_homes,
            min_cell=cell,
        )  # fmt: skip
        step("Computing post-repair satisfaction over time")
        repairs = repairs_over_time(connection, catalog, cell)
        damp = open_damp_concerns(connection)
        step("Finding themes in free-text comments")
        themes = find_themes(read_comments(connection, catalog), with_quotes=settings.report_quotes,
                             min_cell=cell)  # fmt: skip
    step("Computing channel mix and response rates")
    portraits = segments.assign(portrait=segments["portrait"].map("; ".join))
    tables = {
        "segments": portraits.drop(columns="name"),
        "channel_mix": channel_mix(sessions, members, cell),
        "response_rates": response_rates(sessions, members, tenants, cell),
        "tsm_measures": tsm.measures,
        "tsm_sample": tsm.sample,
        "tsm_representativeness": tsm.representativeness,
        "repairs_over_time": repairs,
        "translations": translation_status(registry),
        "themes": themes.counts,
        "themes_over_time": themes.over_time,
        "_segments": segments,  # with portraits as lists, for the page only
    }
    step("Computing the key drivers of overall satisfaction")
    tables["key_drivers"] = _drivers(tsm)
    if weight:
        step("Weighting respondents to the tenant base (raking)")
        weights = respondent_weights(tenants, pd.Index(tsm.responses["respondent_id"].unique()))
        table = weighted_measures(tsm.responses, weights, tsm.measures)
        tables["tsm_weighted"] = suppress(table, "valid", cell) if len(table) else table
    data = ReportData(tables, Words(catalog, settings.landlord_name), tsm, themes, weighted=weight)
    data.headline = headline(tsm.sample, tsm.measures, damp, previous)
    inputs = ApproachInputs(settings.landlord_name,
                            weighting_sentence(tenants) if weight else NO_WEIGHTING,
                            settings.tsm_sampling, settings.tsm_incentives,
                            settings.tsm_surveyor)  # fmt: skip
    data.approach = summary_of_approach(tsm, inputs, data.words)
    return data


def weighting_sentence(tenants: pd.DataFrame) -> str:
    """How the weights were made, naming only the attributes known in the tenant base (the
    summary of approach is published: it must not claim weighting on what is not known)."""
    used = known_attributes(tenants)
    if not used:
        return (f"Weighting was asked for, but {listed(WEIGHT_ON)} are not known for any "
                "tenant, so there was nothing to weight on: the weighted figures equal the "
                "unweighted ones.")  # fmt: skip
    unknown = [name for name in WEIGHT_ON if name not in used]
    sentence = (f"Rim weights (raking) to the tenant base on {listed(used)}, trimmed to between "
                f"{TRIM_LOW} and {TRIM_HIGH} times the mean weight; weighted figures are shown "
                "beside the unweighted ones.")  # fmt: skip
    if unknown:
        sentence += f" Not weighted on {listed(unknown)}: not known for any tenant."
    return sentence


def _drivers(tsm: TsmResults) -> pd.DataFrame:
    drivers = key_drivers(tsm.responses)
    overall = tsm.measures[tsm.measures["breakdown"] == "overall"][["measure", "percent"]]
    return drivers.merge(overall.rename(columns={"percent": "satisfaction"}), on="measure",
                         how="left")  # fmt: skip


def write_tables(tables: dict[str, pd.DataFrame], output: Path) -> list[Path]:
    """One CSV per table (not the internal `_` ones), text cells safe from formulas."""
    csvs = []
    for name, frame in tables.items():
        if name.startswith("_"):
            continue
        path = output / f"{name}.csv"
        neutralised(frame).to_csv(path, index=False, float_format="%.2f")
        csvs.append(path)
    return csvs


def write_report(
    database: Database,
    registry: QuestionnaireRegistry,
    settings: Settings,
    output: Path,
    *,
    step: Step | None = None,
    now: datetime.datetime | None = None,
    weight: bool = False,
) -> ReportFiles:
    """Write report.html, summary_of_approach.txt and one CSV per table into `output`."""
    say = step or (lambda _message: None)
    data = build_tables(database, registry, settings, say, weight=weight,
                        previous=previous_measures(output))  # fmt: skip
    output.mkdir(parents=True, exist_ok=True)
    say("Writing the CSV files")
    csvs = write_tables(data.tables, output)
    approach = output / "summary_of_approach.txt"
    approach.write_text(as_text(data.approach, settings.landlord_name), encoding="utf-8")
    say("Drawing the charts and writing the HTML report")
    figures = build_figures(data.tables, data.words)
    html = render(data, figures, settings, now or datetime.datetime.now(datetime.UTC))
    page = output / "report.html"
    page.write_text(html, encoding="utf-8")
    return ReportFiles(page, csvs, [f.id for f in figures], data.tsm.respondents, approach,
                       not_drawn=[f.id for f in figures if f.empty])  # fmt: skip
