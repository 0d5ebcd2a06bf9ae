"""The tables under the charts read as a published report's do: counts with a thousands
separator, numbers right-aligned by a class, years and other numbered labels as written."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd

from analysis.report.charts import html_table
from analysis.segments.contact import CHANNELS
from analysis.words import CHANNEL_WORDS, Words


class _Cells(HTMLParser):
    """Each row of a table as (text, is it marked numeric) per cell, headings first."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, bool]]] = []
        self._numeric: bool | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._numeric = ("class", "num") in attrs
            self.rows[-1].append(("", self._numeric))

    def handle_data(self, data: str) -> None:
        if self._numeric is not None:
            text, numeric = self.rows[-1][-1]
            self.rows[-1][-1] = (text + data, numeric)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._numeric = None


def _cells(html: str) -> list[list[tuple[str, bool]]]:
    parser = _Cells()
    parser.feed(str(html))
    return parser.rows


def test_counts_have_a_separator_and_numbers_are_right_aligned() -> None:
    frame = pd.DataFrame({
        "breakdown": ["channel", "channel", "channel"], "group": ["sms", "telegram", "webchat"],
        "year": [2026, 2026, 2025], "month": ["2026-03", "2026-04", "2025-12"],
        "reached": pd.array([12345, 987, None], dtype="Int64"),
        "replied": [1234567, 5, 0], "rate": pd.array([65.91, 0.5, None], dtype="Float64"),
        "effective_n": [1234.56, 12.0, float("nan")], "met": [True, False, False],
        "suppressed": [False, False, True],
    })  # fmt: skip
    rows = _cells(html_table(frame, by={"group": "breakdown"}))
    assert rows[0] == [
        ("Breakdown", False), ("Group", False), ("Year", False), ("Month", False),
        ("Surveys reached", True), ("Surveys answered", True), ("% answered", True),
        ("Effective sample size", True), ("Met", False),
    ]  # fmt: skip
    assert rows[1] == [
        ("Channel", False), ("SMS", False), ("2026", False), ("2026-03", False),
        ("12,345", True), ("1,234,567", True), ("65.9", True), ("1,234.6", True),
        ("Yes", False),
    ]  # fmt: skip
    assert [text for text, _ in rows[2]][2:8] == ["2026", "2026-04", "987", "5", "0.5", "12.0"]
    # The suppressed row says so once, in its first empty cell, not right-aligned as a
    # figure is, and nowhere "nan" or "<NA>".
    assert rows[3][4] == ("too few to show", False)
    assert [text for text, _ in rows[3]] == ["Channel", "Web chat", "2025", "2025-12",
                                             "too few to show", "0", "", "", "No"]  # fmt: skip


def test_the_words_for_a_suppressed_row_span_its_empty_figures() -> None:
    frame = pd.DataFrame({
        "group": ["sms", "webchat"], "reached": pd.array([40, None], dtype="Int64"),
        "rate": [65.0, float("nan")], "effective_n": [40.0, float("nan")],
        "suppressed": [False, True],
    })  # fmt: skip
    html = str(html_table(frame))
    assert '<td colspan="3" class="suppressed">too few to show</td></tr>' in html
    rows = _cells(html)
    assert rows[2] == [("Web chat", False), ("too few to show", False)]
    assert len(rows[1]) == 4


def test_a_negative_figure_has_a_minus_sign_and_a_rounded_nothing_has_none() -> None:
    frame = pd.DataFrame({
        "group": ["a", "b", "c", "d"], "change": [-1.94, -0.04, 2.5, -1234.5],
        "difference": [-3, 0, 4, -12345], "year": [2026, 2026, 2025, 2024],
    })  # fmt: skip
    rows = _cells(html_table(frame))
    assert [[text for text, _ in row][1:] for row in rows[1:]] == [
        ["\u22121.9", "\u22123", "2026"],
        ["0.0", "0", "2026"],
        ["2.5", "4", "2025"],
        ["\u22121,234.5", "\u221212,345", "2024"],
    ]


def test_a_numbered_label_keeps_its_digits_even_beside_a_gap() -> None:
    # A year column with a gap becomes float (2026.0) in pandas: it still reads "2026".
    frame = pd.DataFrame({"year": [2026.0, float("nan")], "survey_code": [10001, 10002],
                          "tenants": [2026, 10001]})  # fmt: skip
    rows = _cells(html_table(frame))
    assert rows[1] == [("2026", False), ("10001", False), ("2,026", True)]
    assert rows[2] == [("", False), ("10002", False), ("10,001", True)]


def test_cells_are_escaped_and_an_empty_table_keeps_its_headings() -> None:
    frame = pd.DataFrame({"theme": ["<b>Damp & mould</b>"], "comments": [3]})
    html = str(html_table(frame))
    assert "&lt;b&gt;Damp &amp; mould&lt;/b&gt;" in html and "<b>" not in html
    empty = _cells(html_table(frame.iloc[0:0]))
    assert empty == [[("Theme", False), ("Comments", True)]]


def test_every_channel_share_has_a_heading_in_words() -> None:
    """The channel-mix table has a share column per channel, WhatsApp included."""
    words = Words()
    assert [words.column(f"share_{channel}") for channel in CHANNELS] == [
        f"% {CHANNEL_WORDS[channel]}" for channel in CHANNELS
    ]
