"""The report's TSM, repairs, key-driver and theme charts (words, intervals and n)."""

from __future__ import annotations

import pandas as pd

from analysis.breakdowns import informative
from analysis.report.charts import Figure, _bars, _value, make_figure
from analysis.report.svg import Bar, Point, bar_chart, interval_line_chart, scatter_chart
from analysis.words import Words

SMALL_MONTH = 30  # answers in a month below which its point is drawn hollow and marked


def tsm_figures(tables: dict[str, pd.DataFrame], words: Words) -> list[Figure]:
    figures: list[Figure] = []
    measures = tables["tsm_measures"]
    drop = ("question",)
    for key, title in (("overall", "all tenants"), ("channel", "channel"), ("tenure", "tenure")):
        # A breakdown whose only group is "not known" is left out, and a sentence says so.
        shown = informative(measures[measures["breakdown"] == key], "respondent")
        part = shown.table
        labels = [str(m) if key == "overall" else f"{m} · {words.value(g, key)}"
                  for m, g in zip(part["measure"], part["group"], strict=True)]  # fmt: skip
        figures.append(make_figure(
            words, f"chart-tsm-{key}", "tsm", f"Tenant Satisfaction Measures: {title}",
            f"Percentage satisfied per measure ({title}), with the 95% Wilson score interval "
            "as a line; n is the number of valid answers.",
            bar_chart(_bars(part, labels, "valid"), title=f"TSM, {title}",
                      desc=f"Percentage satisfied per TSM measure, {title}", maximum=100),
            part, {"group": "breakdown"}, drop, shown.note))  # fmt: skip
    figures += repair_figures(tables["repairs_over_time"], words)
    drivers = tables["key_drivers"]
    points = [Point(str(r["measure"]), float(r["importance"]), _value(r, "satisfaction"))
              for _, r in drivers.iterrows()]  # fmt: skip
    figures.append(make_figure(
        words, "chart-key-drivers", "drivers", "What matters most to tenants, and how well "
        "we do it",
        "Each measure's share of what explains overall satisfaction (TP01; Shapley "
        "decomposition of R², with 95% bootstrap intervals in the table) against its "
        "% satisfied. Top right: matters and done well; bottom right: matters and needs work.",
        scatter_chart(points, title="Key drivers of overall satisfaction",
                      desc="Importance for TP01 against percentage satisfied, per measure",
                      x_label="Importance (% of explained variation)",
                      y_label="% satisfied"),
        drivers.drop(columns=["r2"]) if "r2" in drivers else drivers))  # fmt: skip
    themes = tables["themes"]
    labels = [f"{t} ({words.value(lang, 'language')})"
              for t, lang in zip(themes["theme"], themes["language"], strict=True)]  # fmt: skip
    bars = [Bar(label, _value(r, "share"), note=f"n={int(r['comments'])}"
                if not pd.isna(r["comments"]) else "") for label, (_, r) in
            zip(labels, themes.iterrows(), strict=True)]  # fmt: skip
    figures.append(make_figure(
        words, "chart-themes", "themes", "Themes in free-text comments",
        "Share of each language's comments that touch each theme (a comment can touch "
        "several). Themes from the reviewed lexicon, and “Other: …” groups found by "
        "clustering what the lexicon does not place.",
        bar_chart(bars, title="Themes in comments", desc="Share of comments per theme",
                  maximum=100),
        themes, {"group": "breakdown"}))  # fmt: skip
    return figures


def repair_figures(repairs: pd.DataFrame, words: Words) -> list[Figure]:
    figures = []
    for key in ("contractor", "trade"):
        shown = informative(repairs[repairs["breakdown"] == key], "repair job")
        part = shown.table
        lines: dict[str, list[tuple[str, float | None, float | None, float | None, int]]] = {}
        for _, row in part.iterrows():
            n = 0 if pd.isna(row["valid"]) else int(row["valid"])
            lines.setdefault(words.value(row["group"], key), []).append(
                (str(row["month"]), _value(row, "percent"), _value(row, "ci_low"),
                 _value(row, "ci_high"), n))  # fmt: skip
        marked = part.assign(small=part["valid"].fillna(0).astype(int) < SMALL_MONTH)
        figures.append(make_figure(
            words, f"chart-repairs-{key}", "repairs", f"Post-repair satisfaction by {key}",
            f"Percentage satisfied with the repair, by month the job was completed and {key}, "
            f"with the 95% interval at every point and n beside it. Hollow points are small "
            f"months (fewer than {SMALL_MONTH} answers): read them with care.",
            interval_line_chart(lines, title=f"Post-repair satisfaction by {key}",
                                desc=f"Percentage satisfied per month, one panel per {key}",
                                small=SMALL_MONTH),
            marked, {"group": "breakdown"}, note=shown.note))  # fmt: skip
    return figures
