"""The report's charts, each with its caption and a table of the same figures."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from analysis.report.svg import Bar, bar_chart, line_chart, stacked_chart
from analysis.segments.contact import CHANNELS


@dataclass(frozen=True)
class Figure:
    id: str  # "chart-..." : the test finds every chart by it
    section: str
    title: str
    caption: str
    svg: Markup
    table: Markup


def html_table(frame: pd.DataFrame) -> Markup:
    """A plain HTML table; suppressed cells read "suppressed", figures one decimal."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f" or str(shown[column].dtype) == "Float64":
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1f}")
    if "suppressed" in shown.columns:
        hidden = shown["suppressed"].astype(bool)
        shown = shown.astype(object).where(~shown.isna(), "")
        for column in shown.columns:
            if column != "suppressed" and frame[column].isna()[hidden].all() and hidden.any():
                shown.loc[hidden, column] = "suppressed"
    html = shown.to_html(index=False, na_rep="", border=0, classes="figures", escape=True)
    return Markup(html)  # noqa: S704 - pandas escaped every cell (escape=True)


def _value(row: pd.Series, column: str) -> float | None:
    value = row.get(column)
    return None if value is None or pd.isna(value) else float(value)


def _bars(frame: pd.DataFrame, label: pd.Series, note: str | None = None) -> list[Bar]:
    return [
        Bar(str(text), _value(row, "percent" if "percent" in row else "rate"),
            _value(row, "ci_low"), _value(row, "ci_high"),
            f"n={int(row[note])}" if note and not pd.isna(row[note]) else "")
        for text, (_, row) in zip(label.tolist(), frame.iterrows(), strict=True)
    ]  # fmt: skip


def build_figures(tables: dict[str, pd.DataFrame]) -> list[Figure]:
    figures: list[Figure] = []

    def add(
        id_: str, section: str, title: str, caption: str, svg: str, table: pd.DataFrame
    ) -> None:
        figures.append(Figure(id_, section, title, caption, Markup(svg), html_table(table)))  # noqa: S704

    segments = tables["_segments"]
    add("chart-segment-sizes", "segments", "Segment sizes",
        "Tenants in each segment of the latest segmentation run, including those with not "
        "enough data yet.",
        bar_chart([Bar(str(r["name"]), _value(r, "size"), note="tenants")
                   for _, r in segments.iterrows()],
                  title="Segment sizes", desc="Number of tenants per segment", unit=""),
        tables["segments"][["code", "label", "size", "recommended_channel", "suppressed"]],
    )  # fmt: skip

    mix = tables["channel_mix"]
    shares = [f"share_{c}" for c in CHANNELS]
    add("chart-channel-mix", "segments", "Channel mix per segment",
        "Share of each segment's answered surveys that came by SMS, Telegram and web chat.",
        stacked_chart([(str(r["group"]), [_value(r, s) for s in shares])
                       for _, r in mix.iterrows()], ["SMS", "Telegram", "Web chat"],
                      title="Channel mix per segment",
                      desc="Share of answered surveys by channel, per segment"),
        mix)  # fmt: skip

    rates = tables["response_rates"]
    for key, title in (("channel", "channel"), ("segment", "segment")):
        part = rates[rates["breakdown"] == key]
        add(f"chart-response-{key}", "response", f"Response rate by {title}",
            f"Surveys answered out of surveys that reached the tenant, by {title}.",
            bar_chart(_bars(part, part["group"], "reached"), title=f"Response rate by {title}",
                      desc=f"Percentage of reached surveys answered, by {title}", maximum=100),
            part)  # fmt: skip
    groups = rates[~rates["breakdown"].isin(["channel", "segment"])]
    add("chart-response-groups", "response", "Response rate by demographic group",
        "Surveys answered out of surveys reached, by age band, tenure, area and ethnic group.",
        bar_chart(_bars(groups, groups["breakdown"] + ": " + groups["group"], "reached"),
                  title="Response rate by demographic group",
                  desc="Percentage of reached surveys answered, per group", maximum=100),
        groups)  # fmt: skip

    measures = tables["tsm_measures"]
    for key, title in (("overall", "all tenants"), ("channel", "channel"), ("tenure", "tenure")):
        part = measures[measures["breakdown"] == key]
        label = part["measure"] if key == "overall" else part["measure"] + " · " + part["group"]
        add(f"chart-tsm-{key}", "tsm", f"Tenant Satisfaction Measures: {title}",
            f"Percentage satisfied per measure ({title}), with the 95% Wilson score interval "
            "as a line; n is the number of valid answers.",
            bar_chart(_bars(part, label, "valid"), title=f"TSM, {title}",
                      desc=f"Percentage satisfied per TSM measure, {title}", maximum=100),
            part)  # fmt: skip

    repairs = tables["repairs_over_time"]
    for key in ("contractor", "trade"):
        part = repairs[repairs["breakdown"] == key]
        lines: dict[str, list[tuple[str, float | None]]] = {}
        for _, row in part.iterrows():
            lines.setdefault(str(row["group"]), []).append((str(row["month"]),
                                                            _value(row, "percent")))  # fmt: skip
        add(f"chart-repairs-{key}", "repairs", f"Post-repair satisfaction by {key}",
            f"Percentage satisfied with the repair, by month the job was completed and {key}.",
            line_chart(lines, title=f"Post-repair satisfaction by {key}",
                       desc=f"Percentage satisfied per month, one line per {key}"),
            part)  # fmt: skip
    return figures
