"""Shared vocabularies and token helpers for reading tenants' replies.

Text is compared folded by :func:`bot.i18n.folding.normalise` (re-exported here). The small
token helpers are shared by the choice and value parsers. The public entry point is
:mod:`bot.engine.replies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.i18n.folding import DIGITS, normalise, replace_keycaps

__all__ = [
    "DIGITS",
    "ENGLISH",
    "Vocabulary",
    "is_digits",
    "merge",
    "normalise",
    "replace_keycaps",
    "small_int",
]

# --------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Words of one language (or several, merged) that the parsers need.

    Entries must already be :func:`normalise`d, e.g. ``{"and", "&"}``.
    """

    yes: frozenset[str]
    no: frozenset[str]
    conjunctions: frozenset[str]
    numbers: tuple[tuple[str, int], ...] = ()  # ("two", 2): option numbers written as words

    @property
    def number_words(self) -> Mapping[str, int]:
        return dict(self.numbers)


ENGLISH = Vocabulary(
    yes=frozenset({"yes", "y", "yeah", "yep", "ok", "okay", "sure", "correct", "true", "👍"}),
    no=frozenset({"no", "n", "nope", "nah", "false", "👎"}),
    conjunctions=frozenset({"and", "&", "plus"}),
    numbers=tuple(
        (word, position)
        for position, word in enumerate(
            ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 1
        )
    ),
)


def merge(*vocabularies: Vocabulary) -> Vocabulary:
    """The union of several vocabularies (e.g. the tenant's language and English)."""
    return Vocabulary(
        yes=frozenset().union(*(v.yes for v in vocabularies)),
        no=frozenset().union(*(v.no for v in vocabularies)),
        conjunctions=frozenset().union(*(v.conjunctions for v in vocabularies)),
        numbers=_first_reading(pair for v in vocabularies for pair in v.numbers),
    )


def _first_reading(pairs: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Each number word once, read as the first vocabulary (the tenant's language) reads it."""
    seen: dict[str, int] = {}
    for word, number in pairs:
        seen.setdefault(word, number)
    return tuple(seen.items())


# --------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------

_MAX_INT_DIGITS = 18


def is_digits(token: str) -> bool:
    return token.isascii() and token.isdigit()


def small_int(digits: str) -> int | None:
    if not is_digits(digits) or len(digits) > _MAX_INT_DIGITS:
        return None
    return int(digits)
