"""`doorstep report`: one self-contained HTML file plus the same tables as CSV beside it.

The HTML has no scripts and loads nothing: charts are inline SVG (`analysis.report.svg`),
styles are inline, and every chart is a `<figure id="chart-...">` with a caption and a
table of its figures. Only aggregates are shown, and cells with fewer respondents than
`report_min_cell` are suppressed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.exports.writers import neutralised
from analysis.frames.catalog import load_catalog
from analysis.frames.sql import reading
from analysis.report.charts import Figure, build_figures, html_table
from analysis.report.data import (
    all_sessions,
    channel_mix,
    latest_segments,
    repairs_over_time,
    response_rates,
    translation_status,
)
from analysis.tsm.run import tsm_results
from analysis.tsm.sample import tenant_attributes
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database

TEMPLATES = Path(__file__).parent / "templates"
Step = Callable[[str], None]


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    csvs: list[Path]
    figures: list[str]  # chart ids
    tsm_respondents: int


def build_tables(
    database: Database, registry: QuestionnaireRegistry, settings: Settings, step: Step
) -> dict[str, pd.DataFrame]:
    """Every table of the report, by file name (without .csv)."""
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
    step("Computing channel mix and response rates")
    portraits = segments.assign(portrait=segments["portrait"].map("; ".join))
    return {
        "segments": portraits.drop(columns="name"),
        "channel_mix": channel_mix(sessions, members, cell),
        "response_rates": response_rates(sessions, members, tenants, cell),
        "tsm_measures": tsm.measures,
        "tsm_sample": tsm.sample,
        "tsm_representativeness": tsm.representativeness,
        "repairs_over_time": repairs,
        "translations": translation_status(registry),
        "_segments": segments,  # with portraits as lists, for the page only
    }


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
) -> ReportFiles:
    """Write report.html and one CSV per table into `output` (created if missing)."""
    say = step or (lambda _message: None)
    tables = build_tables(database, registry, settings, say)
    output.mkdir(parents=True, exist_ok=True)
    say("Writing the CSV files")
    csvs = write_tables(tables, output)
    say("Drawing the charts and writing the HTML report")
    figures = build_figures(tables)
    html = render(tables, figures, settings, now or datetime.datetime.now(datetime.UTC))
    page = output / "report.html"
    page.write_text(html, encoding="utf-8")
    respondents = tables["tsm_sample"]
    overall = respondents.loc[respondents["group"] == "all tenants", "achieved"]
    return ReportFiles(page, csvs, [f.id for f in figures],
                       int(overall.iloc[0]) if len(overall) else 0)  # fmt: skip


def render(
    tables: dict[str, pd.DataFrame],
    figures: list[Figure],
    settings: Settings,
    now: datetime.datetime,
) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    template = environment.get_template("report.html.j2")
    segments = tables["_segments"]
    return template.render(
        landlord=settings.landlord_name,
        generated=now.strftime("%d %B %Y, %H:%M UTC"),
        min_cell=settings.report_min_cell,
        figures={figure.id: figure for figure in figures},
        segments=segments.to_dict("records"),
        sample=html_table(tables["tsm_sample"]),
        representativeness=html_table(tables["tsm_representativeness"]),
        flagged=tables["tsm_representativeness"]["flag"].astype(bool).sum(),
        translations=html_table(tables["translations"]),
        drafts=sorted(set(tables["translations"].query("status == 'draft'")["language"])),
    )
