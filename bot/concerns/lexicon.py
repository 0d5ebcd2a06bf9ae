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


@dataclass(frozen=True)
class _Index:
    """A language's entries by their first stem, so an answer is only checked against the
    entries one of its words can start (scanning every entry for every answer was a tenth
    of a webhook's time): whole-word stems by the word, longer ones by their first letters.
    Each list keeps the lexicon's order, so hits come out as a full scan finds them."""

    whole: dict[str, tuple[int, ...]]
    prefixed: dict[str, tuple[int, ...]]
    spaceless: tuple[int, ...]


_PREFIX = WHOLE_WORD_UP_TO + 1  # every stem matched by its start is at least this long


@cache
def _index(language: str) -> _Index:
    whole: dict[str, list[int]] = {}
    prefixed: dict[str, list[int]] = {}
    spaceless = []
    for number, entry in enumerate(lexicon(language)):
        first = entry.stems[0]
        if entry.spaceless:
            spaceless.append(number)
        elif len(first) <= WHOLE_WORD_UP_TO:
            whole.setdefault(first, []).append(number)
        else:
            prefixed.setdefault(first[:_PREFIX], []).append(number)
    return _Index(
        {stem: tuple(numbers) for stem, numbers in whole.items()},
        {start: tuple(numbers) for start, numbers in prefixed.items()},
        tuple(spaceless),
    )


def _candidates(language: str, words: list[str]) -> list[int]:
    """The numbers of the entries that may be in the text, in the lexicon's order."""
    index = _index(language)
    found = set(index.spaceless)
    for word in set(words):
        found.update(index.whole.get(word, ()))
        found.update(index.prefixed.get(word[:_PREFIX], ()))
    return sorted(found)


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
        entries = lexicon(language)
        for number in _candidates(language, words):
            position = _find(entries[number], folded, words, starts)
            if position is not None:
                hits.append(Hit(entries[number], position))
    return sorted(hits, key=lambda hit: hit.position)


def category_of(word: str, languages: tuple[str, ...]) -> Category | None:
    """The category a questionnaire's own keyword belongs to, if a lexicon knows it."""
    hits = find_in(word, languages)
    return hits[0].entry.category if hits else None
