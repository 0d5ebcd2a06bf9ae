"""Forgiving parsing of a tenant's free-text reply to a question.

Every function here is pure: no database, no I/O, no clock (``parse_date`` takes ``today``).
Parsers return ``None`` when a reply cannot be read with confidence (no match, out of
range, or ambiguous) so that the engine can ask again; they never raise on any input.

Matching works on :func:`normalise`d text, which ignores case, Latin accents and
punctuation, and reads digits written in Arabic-Indic, Urdu, Bengali, Gurmukhi or
full-width forms.

The parsers live in three modules, re-exported here: :mod:`bot.engine.reply_text`
(normalisation and vocabularies), :mod:`bot.engine.reply_choices` (choices and yes/no) and
:mod:`bot.engine.reply_values` (integers, decimals, scales and dates).
"""

from __future__ import annotations

from bot.engine.reply_choices import Option, parse_choice, parse_choices, parse_yes_no
from bot.engine.reply_text import ENGLISH, Vocabulary, merge, normalise
from bot.engine.reply_values import parse_date, parse_decimal, parse_integer, parse_scale

__all__ = [
    "ENGLISH",
    "Option",
    "Vocabulary",
    "merge",
    "normalise",
    "parse_choice",
    "parse_choices",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_scale",
    "parse_yes_no",
]
