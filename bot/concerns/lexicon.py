"""The concern lexicons (`bot/concerns/lexicon/<language>.yaml`): stems and phrases per category.

A stem matches every word that starts with it ("mould" finds "mouldy"); a phrase is stems in
a row; stems of one or two letters match whole words only; scripts written without spaces
(Chinese) match anywhere. See the folder's README for how the files are reviewed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.concerns.models import Category
from bot.i18n.folding import normalise

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
WHOLE_WORD_UP_TO = 2


@dataclass(frozen=True)
class Entry:
    text: str  # as written in the file: what the case's reason shows
    stems: tuple[str, ...]
    category: Category
    spaceless: bool


@dataclass(frozen=True)
class Hit:
    entry: Entry
    position: int  # where in the folded answer it was found, to list words in reading order


def _spaceless(text: str) -> bool:
    return any(unicodedata.name(char, "").startswith("CJK") for char in text)


@cache
def lexicon(language: str) -> tuple[Entry, ...]:
    """The entries for `language` (none when there is no file for it)."""
    path = LEXICON_DIR / f"{language}.yaml"
    if not path.is_file():
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = []
    for category in Category:
        for text in data.get(category.value) or ():
            stems = tuple(normalise(str(text)).split())
            if stems:
                entries.append(Entry(str(text), stems, category, _spaceless(str(text))))
    return tuple(entries)


def lexicon_status(language: str) -> str | None:
    """`reviewed` or `draft`, as the file says; None when there is no file."""
    path = LEXICON_DIR / f"{language}.yaml"
    if not path.is_file():
        return None
    return str((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("status", "draft"))


def _word_matches(word: str, stem: str) -> bool:
    return word == stem if len(stem) <= WHOLE_WORD_UP_TO else word.startswith(stem)


def _find(entry: Entry, folded: str, words: list[str], starts: list[int]) -> int | None:
    if entry.spaceless:
        found = folded.find("".join(entry.stems))
        return found if found >= 0 else None
    size = len(entry.stems)
    for index in range(len(words) - size + 1):
        if all(_word_matches(words[index + k], entry.stems[k]) for k in range(size)):
            return starts[index]
    return None


def find_in(text: str, languages: tuple[str, ...]) -> list[Hit]:
    """Every entry of these languages' lexicons found in `text`, in reading order."""
    folded = normalise(text)
    words, starts, at = [], [], 0
    for word in folded.split(" "):
        if word:
            words.append(word)
            starts.append(at)
        at += len(word) + 1
    hits = []
    for language in dict.fromkeys(languages):
        for entry in lexicon(language):
            position = _find(entry, folded, words, starts)
            if position is not None:
                hits.append(Hit(entry, position))
    return sorted(hits, key=lambda hit: hit.position)


def category_of(word: str, languages: tuple[str, ...]) -> Category | None:
    """The category a questionnaire's own keyword belongs to, if a lexicon knows it."""
    hits = find_in(word, languages)
    return hits[0].entry.category if hits else None
