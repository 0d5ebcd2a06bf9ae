"""The report page: the template filled with words, never codes."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.breakdowns import informative, informative_groups
from analysis.report.charts import Figure, html_table
from analysis.words import CHANNEL_WORDS
from bot.settings import Settings

if TYPE_CHECKING:
    from analysis.report.build import ReportData

TEMPLATES = Path(__file__).parent / "templates"


def measure_rows(data: ReportData) -> list[dict[str, Any]]:
    """Each measure: its code, the regulator's wording and the overall figure."""
    overall = data.tsm.measures[data.tsm.measures["breakdown"] == "overall"]
    rows = []
    for _, row in overall.iterrows():
        shown = not bool(row["suppressed"])
        rows.append({
            "code": row["measure"], "wording": data.words.questions.get(str(row["measure"]), ""),
            "shown": shown,
            "percent": f"{row['percent']:.1f}%" if shown else "",  # the page says why
            "interval": f"{row['ci_low']:.1f}–{row['ci_high']:.1f}" if shown else "",
            "valid": f"{int(row['valid']):,}" if shown else "",
        })  # fmt: skip
    return rows


def render(
    data: ReportData, figures: list[Figure], settings: Settings, now: datetime.datetime
) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
    )
    template = environment.get_template("report.html.j2")
    tables, words = data.tables, data.words
    segments = tables["_segments"].copy()
    segments["recommended_channel"] = [
        CHANNEL_WORDS.get(str(c), "") if isinstance(c, str) else ""
        for c in segments["recommended_channel"]
    ]
    translations = tables["translations"]
    weighted = tables.get("tsm_weighted")
    # Breakdowns whose only group is "not known" are left out, with a sentence in their place.
    sample = informative_groups(tables["tsm_sample"], "respondent", "tenure")
    represented = informative(tables["tsm_representativeness"], "tenant", by="attribute")
    return template.render(
        landlord=settings.landlord_name,
        generated=now.strftime("%d %B %Y, %H:%M UTC"),
        min_cell=settings.report_min_cell,
        figures={figure.id: figure for figure in figures},
        segments=segments.to_dict("records"),
        head=data.headline,
        wording=words.questions,
        measures=measure_rows(data),
        sample=html_table(sample.table, words),
        sample_note=sample.note,
        representativeness=None
        if represented.table.empty
        else html_table(represented.table, words, {"group": "attribute"}),
        representativeness_note=represented.note,
        flagged=int(tables["tsm_representativeness"]["flag"].astype(bool).sum()),
        weighted=None if weighted is None else html_table(weighted, words),
        approach=data.approach,
        quotes=data.themes.quotes.to_dict("records"),
        comments=data.themes.comments,
        quotes_on=settings.report_quotes,
        translations=html_table(translations, words, {"language": "language"}),
        drafts=sorted(
            {
                words.value(lang, "language")
                for lang in translations.query("status == 'draft'")["language"]
            }
        ),
        themes_over_time=html_table(_latest_months(tables["themes_over_time"]), words),
    )


def _latest_months(over_time: pd.DataFrame) -> pd.DataFrame:
    """Theme counts in the last two months with comments, side by side, and the change."""
    if over_time.empty:
        return over_time
    months = sorted(over_time["month"].unique())[-2:]
    wide = over_time[over_time["month"].isin(months)].pivot_table(
        index="theme", columns="month", values="share", aggfunc="first"
    )
    wide.columns = [f"% in {m}" for m in wide.columns]
    if wide.shape[1] == 2:
        wide["change"] = wide.iloc[:, 1] - wide.iloc[:, 0]
    return wide.reset_index()
