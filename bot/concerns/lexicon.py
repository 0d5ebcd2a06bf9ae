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


@dataclass(frozen=True)
class _Index:
    """A language's entries by their first stem, so an answer's words are looked up
    (each word's prefixes) instead of every entry being tried against every word."""

    entries: tuple[Entry, ...]
    by_first_stem: dict[str, tuple[int, ...]]  # first stem -> entry numbers
    spaceless: tuple[int, ...]


@cache
def _index(language: str) -> _Index:
    entries = lexicon(language)
    by_first_stem: dict[str, list[int]] = {}
    spaceless = []
    for number, entry in enumerate(entries):
        if entry.spaceless:
            spaceless.append(number)
        else:
            by_first_stem.setdefault(entry.stems[0], []).append(number)
    return _Index(entries, {stem: tuple(numbers) for stem, numbers in by_first_stem.items()},
                  tuple(spaceless))  # fmt: skip


def _first_positions(index: _Index, folded: str, words: list[str], starts: list[int]
                     ) -> dict[int, int]:  # fmt: skip
    """Entry number -> where in `folded` the entry is first found."""
    found: dict[int, int] = {}
    for number in index.spaceless:
        at = folded.find("".join(index.entries[number].stems))
        if at >= 0:
            found[number] = at
    for position, word in enumerate(words):
        # The stems this word can start: its own whole self (short stems match only whole
        # words) and each prefix long enough to be matched as a stem.
        candidates = [word] if len(word) <= WHOLE_WORD_UP_TO else []
        candidates += [word[:size] for size in range(WHOLE_WORD_UP_TO + 1, len(word) + 1)]
        for stem in candidates:
            for number in index.by_first_stem.get(stem, ()):
                if number in found:
                    continue
                rest = index.entries[number].stems[1:]
                following = words[position + 1 : position + 1 + len(rest)]
                if len(following) == len(rest) and all(
                    _word_matches(word_, stem_)
                    for word_, stem_ in zip(following, rest, strict=True)
                ):
                    found[number] = starts[position]
    return found


def words_of(folded: str) -> tuple[list[str], list[int]]:
    """The words of folded text and where each starts in it."""
    words, starts, at = [], [], 0
    for word in folded.split(" "):
        if word:
            words.append(word)
            starts.append(at)
        at += len(word) + 1
    return words, starts


def find_in(text: str, languages: tuple[str, ...]) -> list[Hit]:
    """Every entry of these languages' lexicons found in `text`, in reading order."""
    folded = normalise(text)
    words, starts = words_of(folded)
    hits = []
    for language in dict.fromkeys(languages):
        index = _index(language)
        found = _first_positions(index, folded, words, starts)
        hits += [Hit(index.entries[number], found[number]) for number in sorted(found)]
    return sorted(hits, key=lambda hit: hit.position)


def category_of(word: str, languages: tuple[str, ...]) -> Category | None:
    """The category a questionnaire's own keyword belongs to, if a lexicon knows it."""
    hits = find_in(word, languages)
    return hits[0].entry.category if hits else None
