"""Free-text comments grouped into themes, per language, with counts over time.

First the reviewed lexicon (`analysis.themes.lexicon`): a comment belongs to every theme
whose words it uses. Comments the lexicon does not place are clustered per language with
TF-IDF and NMF (scikit-learn) into "other" themes named by their top words, so new
subjects show up without anyone writing rules first. Only counts leave this module,
and example quotes (scrubbed) only when the caller asks for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.themes.lexicon import LEXICON, THEME_WORDS
from analysis.themes.scrub import scrub

MIN_CLUSTER_COMMENTS = 20  # fewer unplaced comments than this in a language: no clustering
QUOTES_PER_THEME = 2
QUOTE_CHARACTERS = 200


@dataclass(frozen=True)
class Themes:
    counts: pd.DataFrame  # theme, language, source, comments, share
    over_time: pd.DataFrame  # theme, month, comments, share (of that month's comments)
    quotes: pd.DataFrame  # theme, language, quote (scrubbed); empty unless asked for
    comments: int


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + ")",
                      re.IGNORECASE)  # fmt: skip


PATTERNS = {lang: {theme: _pattern(words) for theme, words in themes.items()}
            for lang, themes in LEXICON.items()}  # fmt: skip


def lexicon_themes(text: str, language: str) -> list[str]:
    """The lexicon themes a comment touches: its language's lists, then English (many
    tenants answering in another language write comments in English)."""
    for lists in (PATTERNS.get(language), PATTERNS["en"]):
        found = [theme for theme, pattern in (lists or {}).items() if pattern.search(text)]
        if found:
            return found
    return []


def _clusters(texts: pd.Series, language: str) -> pd.Series:
    """An "other" theme name per comment (TF-IDF + NMF), or empty when too few."""
    if len(texts) < MIN_CLUSTER_COMMENTS:
        return pd.Series("", index=texts.index)
    from sklearn.decomposition import NMF  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    stop = "english" if language == "en" else None
    vectoriser = TfidfVectorizer(min_df=2, max_df=0.9, stop_words=stop)
    try:
        matrix = vectoriser.fit_transform(texts.tolist())
    except ValueError:  # nothing left after the stop words
        return pd.Series("", index=texts.index)
    topics = max(1, min(5, len(texts) // MIN_CLUSTER_COMMENTS, matrix.shape[1] - 1))
    model = NMF(n_components=topics, init="nndsvda", random_state=16, max_iter=400)
    weights = model.fit_transform(matrix)
    words = np.array(vectoriser.get_feature_names_out())
    names = ["Other: " + ", ".join(words[np.argsort(row)[::-1][:3]]) for row in model.components_]
    chosen = np.array(names, dtype=object)[weights.argmax(axis=1)]
    chosen[weights.max(axis=1) <= 0] = ""
    return pd.Series(chosen, index=texts.index)


def find_themes(comments: pd.DataFrame, *, with_quotes: bool = False,
                min_cell: int = 10) -> Themes:  # fmt: skip
    """`comments`: text, language, answered_at. Counts below `min_cell` are suppressed."""
    frame = comments[comments["text"].fillna("").str.strip() != ""].copy()
    frame["language"] = frame["language"].fillna("en").astype(str)
    if frame.empty:  # no comments yet: empty tables with their columns, said in words later
        return Themes(
            pd.DataFrame(columns=["theme", "language", "source", "comments", "share"]),
            pd.DataFrame(columns=["theme", "month", "comments", "share"]),
            pd.DataFrame(columns=["theme", "language", "quote"]),
            0,
        )
    # Many comments repeat word for word ("No", "All fine"): each distinct one is read once.
    pairs = pd.MultiIndex.from_arrays([frame["text"].astype(str), frame["language"]])
    distinct = pairs.unique()
    themes_of = [lexicon_themes(text, language) for text, language in distinct]
    found = [list(themes_of[i]) for i in distinct.get_indexer(pairs)]
    frame["themes"] = found
    rows = frame.explode("themes")
    placed = rows[rows["themes"].notna()].assign(theme=lambda f: f["themes"].map(THEME_WORDS),
                                                  source="lexicon")  # fmt: skip
    unplaced = frame[pd.Series([not t for t in found], index=frame.index, dtype=bool)]
    others = []
    for language, part in unplaced.groupby("language"):
        names = _clusters(part["text"], str(language))
        others.append(part.assign(theme=names, source="clustering")[names != ""])
    themed = pd.concat([placed, *others], ignore_index=True) if len(frame) else placed
    themed["month"] = pd.to_datetime(themed["answered_at"], utc=True).dt.strftime("%Y-%m")
    totals = frame.groupby("language").size()
    counts: pd.DataFrame = (
        themed.groupby(["theme", "language", "source"]).size().rename("comments").reset_index()
    )
    counts["share"] = 100 * counts["comments"] / counts["language"].map(totals)
    counts = counts.sort_values(["comments", "theme"], ascending=[False, True])
    month_of = pd.to_datetime(frame["answered_at"], utc=True).dt.strftime("%Y-%m")
    month_totals = month_of.value_counts()
    over = themed.groupby(["theme", "month"]).size().rename("comments").reset_index()
    over["share"] = 100 * over["comments"] / over["month"].map(month_totals)
    quotes = _quotes(themed) if with_quotes else pd.DataFrame(
        columns=["theme", "language", "quote"])  # fmt: skip
    return Themes(_suppressed(counts, min_cell), _suppressed(over, min_cell), quotes,
                  len(frame))  # fmt: skip


def _suppressed(table: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    from analysis.tsm.measures import suppress

    return suppress(table.reset_index(drop=True), "comments", min_cell)


def _quotes(themed: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (theme, language), part in themed.groupby(["theme", "language"]):
        short = part[part["text"].str.len() <= QUOTE_CHARACTERS].sort_values("answered_at")
        distinct = short["text"].astype(str).map(scrub).drop_duplicates()
        for quote in distinct.tail(QUOTES_PER_THEME):
            rows.append({"theme": theme, "language": language, "quote": quote})
    table = pd.DataFrame(rows, columns=["theme", "language", "quote"])
    return table.drop_duplicates(["theme", "quote"]).reset_index(drop=True)
