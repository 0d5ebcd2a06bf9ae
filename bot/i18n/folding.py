"""Folding text for matching words in any supported language.

:func:`normalise` ignores case, Latin accents and punctuation, and reads digits written in
Arabic-Indic, Urdu, Bengali, Gurmukhi or full-width forms. Word lists (`Translator.words`),
concern keywords and the engine's reply parsers all compare folded text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

__all__ = ["DIGITS", "normalise", "replace_keycaps"]

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------


def _digit_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Arabic-Indic, Extended Arabic-Indic (Persian/Urdu), Bengali, Gurmukhi, full-width.
    for zero in (0x0660, 0x06F0, 0x09E6, 0x0A66, 0xFF10):
        for value in range(10):
            table[zero + value] = str(value)
    return table


DIGITS = _digit_table()

#: Keycap emoji: a digit (or # or *), an optional emoji variation selector, U+20E3.
_KEYCAP = re.compile("([0-9#*])\ufe0f?\u20e3")
_KEYCAP_TEN = "\U0001f51f"  # 🔟

#: Emoji presentation selectors and skin-tone modifiers carry no meaning for matching.
_EMOJI_NOISE = frozenset({"\ufe0e", "\ufe0f"} | {chr(c) for c in range(0x1F3FB, 0x1F400)})

#: Latin letters that have no Unicode decomposition but are "accented" to a reader.
_LATIN_FOLDS: Mapping[str, str] = {
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "ø": "o",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}

#: Kept as a word of its own by :func:`normalise` because vocabularies use it as "and".
_KEPT_PUNCTUATION = frozenset({"&"})


@lru_cache(maxsize=4096)
def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN ")


def replace_keycaps(text: str, separator: str) -> str:
    text = text.replace(_KEYCAP_TEN, f"{separator}10{separator}")
    return _KEYCAP.sub(lambda m: f"{separator}{m.group(1)}{separator}", text)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Fold ``text`` for forgiving comparison (cached: short replies repeat a lot).

    Case-folds; removes accents from Latin letters (non-Latin scripts keep their marks);
    turns punctuation, control characters and odd spaces into single spaces (``&`` is kept
    as a word of its own); drops invisible format characters (bidi marks, zero-width
    joiners), emoji variation selectors and skin tones; puts spaces around other symbols
    such as emoji; reads keycap emoji (``2️⃣``) and Arabic-Indic, Urdu, Bengali, Gurmukhi
    and full-width digits as ASCII digits.
    """
    text = replace_keycaps(text, " ").translate(DIGITS)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    base: str | None = None
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            # Keep marks only on non-Latin letters (Arabic, Bengali, Gurmukhi...).
            if (
                base is not None
                and unicodedata.category(base)[0] == "L"
                and not _is_latin(base)
                and char not in _EMOJI_NOISE
            ):
                out.append(char)
            continue
        base = char
        if char in _EMOJI_NOISE or category == "Cf":
            continue
        if category[0] == "P":
            out.append(f" {char} " if char in _KEPT_PUNCTUATION else " ")
        elif category[0] == "Z" or category == "Cc":
            out.append(" ")
        elif char.isascii() and not char.isalnum():
            out.append(" ")  # ASCII symbols: + < = > ^ ` | ~ $
        elif category == "So":
            out.append(f" {char} ")  # emoji and other pictographs are words of their own
        else:
            out.append(_LATIN_FOLDS.get(char, char))
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())
