"""The Welsh lexicon finds themes whatever mutation the first letter of a word took."""

from __future__ import annotations

import datetime

import pandas as pd

from analysis.themes.lexicon_cy import mutations
from analysis.themes.themes import find_themes, lexicon_themes

WHEN = datetime.datetime(2026, 5, 12, tzinfo=datetime.UTC)
# Damp and mould, in the forms tenants write: radical, soft ("o leithder", "o lwydni",
# "o damp"), nasal ("fy nhamprwydd") and aspirate ("ei thamprwydd").
WELSH_DAMP = [
    "Mae llwydni du yn ôl ar nenfwd yr ystafell ymolchi",
    "Does dim byd wedi'i wneud am y tamprwydd yn y gegin",
    "Mae'r ystafell wely yn llawn o leithder bob gaeaf",
    "Smotiau o lwydni ar waliau'r plant",
    "Mae'r tŷ yn drewi o damp ers mis Hydref",
    "Mae fy nhamprwydd i wedi gwaethygu, meddai'r meddyg",
    "Mae hi'n poeni am ei thamprwydd a'i hiechyd",
    "Mae'r waliau'n wlyb ac mae anwedd ar y ffenestri",
]
WELSH_STAFF = [
    "Roedd y gweithiwr yn gwrtais iawn ac yn glanhau ar ei ôl",
    "Swyddog anghwrtais, dim parch o gwbl",
    "Staff cyfeillgar a chymwynasgar",
]


def test_mutated_forms_are_listed() -> None:
    assert mutations("tamprwydd") == ("tamprwydd", "damprwydd", "nhamprwydd", "thamprwydd")
    assert mutations("llwydni") == ("llwydni", "lwydni")
    assert mutations("cymydog") == ("cymydog", "gymydog", "nghymydog", "chymydog")
    assert mutations("ffonio") == ("ffonio",)  # ff never mutates
    assert mutations("galw") == ("galw", "ngalw")  # "alw" is too short to match safely


def test_each_planted_welsh_damp_comment_is_placed_in_damp_and_mould() -> None:
    for text in WELSH_DAMP:
        assert "damp_mould" in lexicon_themes(text, "cy"), text
    for text in WELSH_STAFF:
        themes = lexicon_themes(text, "cy")
        assert "staff_attitude" in themes and "damp_mould" not in themes, text


def test_a_planted_welsh_damp_and_mould_theme_is_found_and_counted() -> None:
    rows = [{"text": WELSH_DAMP[n % len(WELSH_DAMP)], "language": "cy", "answered_at": WHEN}
            for n in range(24)]  # fmt: skip
    rows += [{"text": WELSH_STAFF[n % len(WELSH_STAFF)], "language": "cy", "answered_at": WHEN}
             for n in range(12)]  # fmt: skip
    counts = find_themes(pd.DataFrame(rows)).counts.set_index(["theme", "language"])
    assert counts.loc[("Damp and mould", "cy"), "comments"] == 24
    assert counts.loc[("Staff attitude", "cy"), "comments"] == 12
    assert counts.loc[("Damp and mould", "cy"), "source"] == "lexicon"
