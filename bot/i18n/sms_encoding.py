"""SMS encoding facts for outbound text: which alphabet a message needs and how many parts.

A message is sent in the GSM 03.38 7-bit default alphabet when every character is in it
(160 septets in one part, 153 per part once split; the extension-table characters
``| ^ € { } [ ] ~ \\`` and form feed take two septets: an escape and the character).
One character outside it switches the whole message to UCS-2 (70 UTF-16 code units in
one part, 67 per part; characters outside the Basic Multilingual Plane, such as most
emoji, take two units).  A split never separates an escape from its character, nor the
two halves of a surrogate pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENDED",
    "MAX_SMS_CHARACTERS",
    "TYPOGRAPHIC_REPLACEMENTS",
    "Encoding",
    "SmsCost",
    "sms_cost",
    "to_gsm7_where_possible",
]

#: The GSM 03.38 default alphabet (the escape code 0x1B is not a character).
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\u00c6\u00e6ßÉ"  # 0x1B (escape) sits between Ξ and Æ
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

#: The GSM 03.38 extension table: each costs two septets (escape + character).
GSM7_EXTENDED: frozenset[str] = frozenset("\f^{}\\[~]|€")

#: Providers refuse longer messages.
MAX_SMS_CHARACTERS = 1600

GSM7_SINGLE_SEPTETS = 160
GSM7_PART_SEPTETS = 153
UCS2_SINGLE_UNITS = 70
UCS2_PART_UNITS = 67


class Encoding(StrEnum):
    """Alphabet of an SMS; a `str` enum (its value is the conventional name)."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SmsCost:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    non_gsm_characters: tuple[str, ...]  # distinct characters forcing UCS-2, first seen first


def _gsm7_width(char: str) -> int:
    return 2 if char in GSM7_EXTENDED else 1


def _ucs2_width(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _segments(widths: list[int], single: int, per_part: int) -> int:
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts += 1
            used = 0
        used += width
    return parts


def sms_cost(text: str) -> SmsCost:
    """The encoding, size and number of parts needed to send ``text`` as an SMS."""
    non_gsm = tuple(
        dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENDED)
    )
    if non_gsm:
        widths = [_ucs2_width(c) for c in text]
        return SmsCost(
            encoding=Encoding.UCS2,
            units=sum(widths),
            segments=_segments(widths, UCS2_SINGLE_UNITS, UCS2_PART_UNITS),
            non_gsm_characters=non_gsm,
        )
    widths = [_gsm7_width(c) for c in text]
    return SmsCost(
        encoding=Encoding.GSM7,
        units=sum(widths),
        segments=_segments(widths, GSM7_SINGLE_SEPTETS, GSM7_PART_SEPTETS),
        non_gsm_characters=(),
    )


#: Typographic characters with a plain GSM-7 equivalent that reads the same.
TYPOGRAPHIC_REPLACEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "\u2018": "'",  # ‘ left single quotation mark
        "\u2019": "'",  # ’ right single quotation mark / apostrophe
        "\u201a": "'",  # ‚ single low-9 quotation mark
        "\u201b": "'",  # ‛ single high-reversed-9 quotation mark
        "\u2032": "'",  # ′ prime
        "\u2039": "'",  # ‹
        "\u203a": "'",  # ›
        "\u00b4": "'",  # ´ acute accent
        "`": "'",  # grave accent (not in GSM-7)
        "\u201c": '"',  # “ left double quotation mark
        "\u201d": '"',  # ” right double quotation mark
        "\u201e": '"',  # „ double low-9 quotation mark
        "\u201f": '"',  # ‟ double high-reversed-9 quotation mark
        "\u2033": '"',  # ″ double prime
        "\u00ab": '"',  # « left-pointing double angle quotation mark
        "\u00bb": '"',  # » right-pointing double angle quotation mark
        "\u2010": "-",  # ‐ hyphen
        "\u2011": "-",  # ‑ non-breaking hyphen
        "\u2012": "-",  # ‒ figure dash
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2015": "-",  # ― horizontal bar
        "\u2212": "-",  # − minus sign
        "\u2026": "...",  # … horizontal ellipsis
        "\u00a0": " ",  # no-break space
        "\u2002": " ",  # en space
        "\u2003": " ",  # em space
        "\u2007": " ",  # figure space
        "\u2009": " ",  # thin space
        "\u200a": " ",  # hair space
        "\u202f": " ",  # narrow no-break space
        "\t": " ",  # tab
        "\u2028": "\n",  # line separator
        "\u2029": "\n",  # paragraph separator
        "\u200b": "",  # zero-width space
        "\u2060": "",  # word joiner
        "\ufeff": "",  # byte order mark / zero-width no-break space
        "\u00ad": "",  # soft hyphen
        "\u2022": "*",  # • bullet
        "\u2023": "*",  # ‣ triangular bullet
        "\u2043": "-",  # ⁃ hyphen bullet
    }
)

_TRANSLATION = str.maketrans(dict(TYPOGRAPHIC_REPLACEMENTS))


def to_gsm7_where_possible(text: str) -> str:
    """Replace typographic characters with GSM-7 look-alikes; leave everything else alone.

    Letters such as Welsh ŵ are not changed, so they still force UCS-2.
    """
    return text.translate(_TRANSLATION)
