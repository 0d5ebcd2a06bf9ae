"""Free-text themes: a planted damp-and-mould theme found in English and Welsh, clustering
for what the lexicon misses, and quotes that keep no phone number, email or address."""

from __future__ import annotations

import datetime
import re

import pandas as pd

from analysis.themes.scrub import scrub
from analysis.themes.themes import find_themes

MARCH = datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)
APRIL = datetime.datetime(2026, 4, 10, tzinfo=datetime.UTC)
ENGLISH_DAMP = [
    "Black mould in the bedroom again, ring me on 07700 900{n:03d}",
    "The damp in the kitchen is getting worse, email me at tenant{n}@example.org",
    "Condensation everywhere and mould on the walls. Mrs Jones at 12 High Street knows.",
]
WELSH_DAMP = [
    "Mae lleithder yn yr ystafell wely ers misoedd, ffoniwch 029 2087 {n:04d}",
    "Llwydni du ar y waliau, e-bost cymydog{n}@enghraifft.cymru",
]
GARDENS = [
    "The gardeners cut the grass verges beautifully this spring",
    "Grass verges and hedges were trimmed by the gardeners",
    "Gardeners left the grass verges neat and the hedges trimmed",
]
GARDEN_WORDS = "|".join(sorted({word for text in GARDENS for word in text.lower().split()}))
PHONE = re.compile(r"\d[\d ]{6,}\d")


def _comments() -> pd.DataFrame:
    rows = []
    for n in range(30):
        when = MARCH if n < 10 else APRIL
        rows.append({"text": ENGLISH_DAMP[n % 3].format(n=n), "language": "en",
                     "answered_at": when})  # fmt: skip
        rows.append({"text": WELSH_DAMP[n % 2].format(n=n), "language": "cy",
                     "answered_at": when})  # fmt: skip
        rows.append({"text": GARDENS[n % 3], "language": "en", "answered_at": when})
    return pd.DataFrame(rows)


def test_planted_damp_and_mould_found_in_english_and_welsh() -> None:
    themes = find_themes(_comments(), with_quotes=True, min_cell=5)
    counts = themes.counts.set_index(["theme", "language"])
    assert counts.loc[("Damp and mould", "en"), "comments"] == 30
    assert counts.loc[("Damp and mould", "cy"), "comments"] == 30
    assert counts.loc[("Damp and mould", "cy"), "share"] == 100.0
    assert themes.comments == 90
    # What the lexicon does not place is clustered and named by its words.
    others = themes.counts[themes.counts["source"] == "clustering"]
    assert len(others) >= 1 and others["theme"].str.contains(GARDEN_WORDS).all()
    # Change over time: damp in March (20 of 30 comments) and April (40 of 60).
    over = themes.over_time.set_index(["theme", "month"])
    assert over.loc[("Damp and mould", "2026-03"), "comments"] == 20


def test_quotes_keep_no_phone_number_email_or_address() -> None:
    quotes = find_themes(_comments(), with_quotes=True, min_cell=5).quotes
    assert len(quotes) > 0
    for quote in quotes["quote"]:
        assert "@" not in quote and not PHONE.search(quote), quote
        assert "High Street" not in quote and "Jones" not in quote, quote


def test_no_quotes_unless_asked() -> None:
    assert find_themes(_comments(), min_cell=5).quotes.empty


def test_scrub() -> None:
    text = ("My name is Sam Patel, call 07700 900123 or +44 (0)29 2087 0000, "
            "sam.patel@example.co.uk, 4 Heol y Coed, CF10 1AA. I spoke to Dave Smith.")  # fmt: skip
    clean = scrub(text)
    for gone in ("Sam", "Patel", "07700", "2087", "@", "Heol", "CF10", "Dave"):
        assert gone not in clean, gone
    assert clean.count("[name]") == 2 and "[email]" in clean and "[postcode]" in clean
