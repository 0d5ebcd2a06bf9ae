"""The report's charts, each with its caption and a table of the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import pandas as pd
from markupsafe import Markup, escape

from analysis.breakdowns import informative
from analysis.report.svg import Bar, bar_chart, stacked_chart
from analysis.segments.contact import CHANNELS
from analysis.words import CHANNEL_WORDS, Words


@dataclass(frozen=True)
class Figure:
    id: str  # "chart-..." : the test finds every chart by it
    section: str
    title: str
    caption: str
    svg: Markup
    table: Markup
    empty: str = ""  # a sentence shown instead of the chart when there is nothing to draw
    note: str = ""  # a sentence under the chart naming breakdowns left out (analysis.breakdowns)


# Numbers that name something rather than count it: shown as written, never "2,026".
IDENTIFIERS = frozenset({"year", "month", "quarter", "period", "version", "code", "id"})


def _is_figure(column: str, series: pd.Series) -> bool:
    """A count, share or other quantity: right-aligned, with a thousands separator."""
    name = str(column).lower()
    identifier = name in IDENTIFIERS or name.endswith(("_year", "_month", "_code", "_id"))
    return series.dtype.kind in "iuf" and not identifier


def _cell(value: object, figure: bool) -> str:
    """One cell's text: whole numbers "12,345", decimals "1,234.5", identifiers as written."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Integral) and not isinstance(value, bool):
        return _minus(f"{int(value):,}") if figure else str(int(value))
    if isinstance(value, Real):
        number = float(value)
        if not figure:  # a year or code held as 2026.0, as pandas does beside a gap
            return str(int(number)) if number.is_integer() else str(value)
        return _minus(f"{number:,.1f}")
    return str(value)


def _minus(figure: str) -> str:
    """A negative figure with a true minus sign, which screen readers say as "minus" and
    which lines up with the digits (a hyphen is read as "dash"); one that rounds to nothing
    loses its sign ("0.0", not "-0.0")."""
    if not figure.startswith("-"):
        return figure
    if not figure.strip("-0.,"):
        return figure[1:]
    return "\u2212" + figure[1:]


def _tag(name: str, text: object, numeric: bool) -> str:
    """A cell; a number's gets the class that right-aligns it (the page's CSS, not inline)."""
    attributes = ' class="num"' if numeric else ""
    return f"<{name}{attributes}>{escape(text)}</{name}>"


def _row(columns: list[list[str]], figure: list[bool], row: int,
         span: tuple[int, int] | None) -> str:  # fmt: skip
    """One row's cells; `span` (first column, width) holds the words "too few to show"."""
    cells, column = [], 0
    while column < len(columns):
        if span is not None and column == span[0]:
            width = f' colspan="{span[1]}"' if span[1] > 1 else ""
            cells.append(f'<td{width} class="suppressed">too few to show</td>')
            column += span[1]
            continue
        cells.append(_tag("td", columns[column][row], figure[column]))
        column += 1
    return "".join(cells)


def html_table(frame: pd.DataFrame, words: Words | None = None,
               by: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> Markup:  # fmt: skip
    """A plain HTML table in words; suppressed cells read "too few to show", figures one
    decimal, counts with a thousands separator, numbers right-aligned (class "num"), yes/no
    in words, no codes in headings."""
    words = words or Words()
    hidden = frame.get("suppressed", pd.Series(False, index=frame.index)).astype(bool).to_numpy()
    data = frame.drop(columns=[c for c in (*drop, "suppressed") if c in frame.columns])
    figure = [_is_figure(c, data[c]) for c in data.columns]
    # Words while numbers are still numbers: as text, a count of 5 could read as choice "5".
    shown = words.frame(data, by)
    columns = [[_cell(v, f) for v in shown[c].astype(object)]
               for c, f in zip(shown.columns, figure, strict=True)]  # fmt: skip
    # A suppressed row says so once, in words, across its first run of empty cells; the
    # words are not a figure, so they are not right-aligned like one.
    spans: dict[int, tuple[int, int]] = {}  # row -> (first column, columns spanned)
    if hidden.any():
        for first, original in enumerate(data.columns):
            if data.loc[hidden, original].isna().all():
                for row in hidden.nonzero()[0]:
                    width = 1
                    while first + width < len(columns) and columns[first + width][row] == "":
                        width += 1
                    spans[int(row)] = (first, width)
                break
    head = "".join(_tag("th", c, f) for c, f in zip(shown.columns, figure, strict=True))
    rows = (_row(columns, figure, i, spans.get(i)) for i in range(len(shown)))
    body = "".join(f"<tr>{row}</tr>\n" for row in rows)
    html = (f'<table class="figures">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}</tbody>\n</table>")  # fmt: skip
    return Markup(html)  # noqa: S704 - every heading and cell went through escape()


def _value(row: pd.Series, column: str) -> float | None:
    value = row.get(column)
    return None if value is None or pd.isna(value) else float(value)


def _bars(frame: pd.DataFrame, label: list[str], note: str | None = None) -> list[Bar]:
    return [
        Bar(str(text), _value(row, "percent" if "percent" in row else "rate"),
            _value(row, "ci_low"), _value(row, "ci_high"),
            f"n={int(row[note])}" if note and not pd.isna(row[note]) else "")
        for text, (_, row) in zip(label, frame.iterrows(), strict=True)
    ]  # fmt: skip


EMPTY = {
    "segments": "No segmentation has been run yet: run “doorstep segment” first.",
    "response": "No surveys have reached tenants yet.",
    "tsm": "No tenant has answered the TSM perception survey yet.",
    "repairs": "No post-repair survey has been answered for a recorded repair job yet.",
    "drivers": "Too few tenants answered TP01 and other measures to work out what drives "
               "overall satisfaction (at least 30 are needed).",
    "themes": "No free-text comments have been written yet.",
}  # fmt: skip


def build_figures(tables: dict[str, pd.DataFrame], words: Words | None = None) -> list[Figure]:
    words = words or Words()
    figures: list[Figure] = []

    def add(id_: str, section: str, title: str, caption: str, svg: str, table: pd.DataFrame,
            by: dict[str, str] | None = None, drop: tuple[str, ...] = (),
            note: str = "") -> None:  # fmt: skip
        figures.append(make_figure(words, id_, section, title, caption, svg, table, by, drop,
                                   note))  # fmt: skip

    segments = tables["_segments"]
    add("chart-segment-sizes", "segments", "Segment sizes",
        "Tenants in each segment of the latest segmentation run, including those with not "
        "enough data yet.",
        bar_chart([Bar(str(r["name"]), _value(r, "size"), note="tenants")
                   for _, r in segments.iterrows()],
                  title="Segment sizes", desc="Number of tenants per segment", unit=""),
        tables["segments"][["code", "label", "size", "recommended_channel", "suppressed"]],
        by={"recommended_channel": "channel"},
    )  # fmt: skip

    mix = tables["channel_mix"]
    shares = [f"share_{c}" for c in CHANNELS]
    add("chart-channel-mix", "segments", "Channel mix per segment",
        "Share of each segment's answered surveys by channel ("
        + ", ".join(CHANNEL_WORDS[c] for c in CHANNELS) + ").",
        stacked_chart([(str(r["group"]), [_value(r, s) for s in shares])
                       for _, r in mix.iterrows()], [CHANNEL_WORDS[c] for c in CHANNELS],
                      title="Channel mix per segment",
                      desc="Share of answered surveys by channel, per segment"),
        mix)  # fmt: skip

    rates = tables["response_rates"]
    for key, title in (("channel", "channel"), ("segment", "segment")):
        shown = informative(rates[rates["breakdown"] == key], "tenant")
        part = shown.table
        labels = [words.value(g, key) for g in part["group"]]
        add(f"chart-response-{key}", "response", f"Response rate by {title}",
            f"Surveys answered out of surveys that reached the tenant, by {title}.",
            bar_chart(_bars(part, labels, "reached"), title=f"Response rate by {title}",
                      desc=f"Percentage of reached surveys answered, by {title}", maximum=100),
            part, by={"group": "breakdown"}, note=shown.note)  # fmt: skip
    # Each demographic breakdown whose only group is "not known" is left out, and said so.
    shown = informative(rates[~rates["breakdown"].isin(["channel", "segment"])], "tenant")
    groups = shown.table
    labels = [f"{words.value(b, 'breakdown')}: {words.value(g, str(b))}"
              for b, g in zip(groups["breakdown"], groups["group"], strict=True)]  # fmt: skip
    add("chart-response-groups", "response", "Response rate by demographic group",
        "Surveys answered out of surveys reached, by age band, tenure, area and ethnic group.",
        bar_chart(_bars(groups, labels, "reached"),
                  title="Response rate by demographic group",
                  desc="Percentage of reached surveys answered, per group", maximum=100),
        groups, by={"group": "breakdown"}, note=shown.note)  # fmt: skip
    from analysis.report.charts_tsm import tsm_figures  # it builds on this module

    figures += tsm_figures(tables, words)
    return figures


def make_figure(words: Words, id_: str, section: str, title: str, caption: str, svg: str,
                table: pd.DataFrame, by: dict[str, str] | None = None,
                drop: tuple[str, ...] = (), note: str = "") -> Figure:  # fmt: skip
    """A figure; an empty table gives a sentence saying so instead of empty axes. `note`
    names breakdowns left out of `table`: the sentence in their place, or under the chart
    when other breakdowns are still drawn."""
    empty = (note or EMPTY[section]) if table.empty else ""
    return Figure(id_, section, title, caption, Markup(svg),  # noqa: S704 - built escaped
                  html_table(table, words, by, drop), empty, "" if empty else note)  # fmt: skip
