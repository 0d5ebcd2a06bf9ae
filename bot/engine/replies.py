"""Forgiving parsing of a tenant's free-text reply to a question.

Every function here is pure: no database, no I/O, no clock (``parse_date`` takes ``today``).
Parsers return ``None`` when a reply cannot be read with confidence (no match, out of
range, or ambiguous) so that the engine can ask again; they never raise on any input.

Matching works on :func:`normalise`d text, which ignores case, Latin accents and
punctuation, and reads digits written in Arabic-Indic, Urdu, Bengali, Gurmukhi or
full-width forms.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names
from babel.numbers import NumberFormatError, get_group_symbol
from babel.numbers import parse_decimal as babel_parse_decimal

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


_DIGITS = _digit_table()

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


def _replace_keycaps(text: str, separator: str) -> str:
    text = text.replace(_KEYCAP_TEN, f"{separator}10{separator}")
    return _KEYCAP.sub(lambda m: f"{separator}{m.group(1)}{separator}", text)


def normalise(text: str) -> str:
    """Fold ``text`` for forgiving comparison.

    Case-folds; removes accents from Latin letters (non-Latin scripts keep their marks);
    turns punctuation, control characters and odd spaces into single spaces (``&`` is kept
    as a word of its own); drops invisible format characters (bidi marks, zero-width
    joiners), emoji variation selectors and skin tones; puts spaces around other symbols
    such as emoji; reads keycap emoji (``2️⃣``) and Arabic-Indic, Urdu, Bengali, Gurmukhi
    and full-width digits as ASCII digits.
    """
    text = _replace_keycaps(text, " ").translate(_DIGITS)
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


ENGLISH = Vocabulary(
    yes=frozenset({"yes", "y", "yeah", "yep", "ok", "okay", "sure", "correct", "true", "👍"}),
    no=frozenset({"no", "n", "nope", "nah", "false", "👎"}),
    conjunctions=frozenset({"and", "&", "plus"}),
)


def merge(*vocabularies: Vocabulary) -> Vocabulary:
    """The union of several vocabularies (e.g. the tenant's language and English)."""
    return Vocabulary(
        yes=frozenset().union(*(v.yes for v in vocabularies)),
        no=frozenset().union(*(v.no for v in vocabularies)),
        conjunctions=frozenset().union(*(v.conjunctions for v in vocabularies)),
    )


# --------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One choice as shown to the tenant."""

    position: int  # 1-based number shown to the tenant
    code: int
    name: str  # stable identifier, e.g. "very_satisfied"
    labels: tuple[str, ...]  # tenant's language first, then the default language
    aliases: tuple[str, ...]


#: Words that may precede the option number: "option 2", "no. 2", Welsh "rhif 2",
#: Polish "opcja 2"/"nr 2", Romanian "opțiunea 2", Portuguese "opção 2" (normalised).
_NUMBER_PREFIXES = frozenset(
    {
        "option",
        "opt",
        "choice",
        "number",
        "num",
        "no",
        "nr",
        "answer",
        "opsiwn",
        "rhif",
        "opcja",
        "numer",
        "optiunea",
        "optiune",
        "numarul",
        "numar",
        "opcao",
        "numero",
    }
)

_MAX_INT_DIGITS = 18


def _is_number(token: str) -> bool:
    return token.isascii() and token.isdigit()


def _small_int(digits: str) -> int | None:
    if not _is_number(digits) or len(digits) > _MAX_INT_DIGITS:
        return None
    return int(digits)


@lru_cache(maxsize=1024)
def _primary_keys(option: Option) -> frozenset[str]:
    keys = {normalise(option.name)}
    keys.update(normalise(label) for label in option.labels[:1])
    keys.update(normalise(alias) for alias in option.aliases)
    keys.discard("")
    return frozenset(keys)


@lru_cache(maxsize=1024)
def _secondary_keys(option: Option) -> frozenset[str]:
    keys = {normalise(label) for label in option.labels[1:]}
    keys.discard("")
    return frozenset(keys)


def _exact_index(options: Sequence[Option]) -> Mapping[str, Option | None]:
    return _exact_index_of(tuple(options))


@lru_cache(maxsize=256)
def _exact_index_of(options: tuple[Option, ...]) -> Mapping[str, Option | None]:
    """Normalised key -> option, or None where two options share the key.

    Keys in the tenant's language (first label), aliases and names win over later labels.
    """
    index: dict[str, Option | None] = {}
    for keys_of in (_primary_keys, _secondary_keys):
        tier: dict[str, Option | None] = {}
        for option in options:
            for key in keys_of(option):
                if key in index:
                    continue
                known = tier.get(key, option)
                tier[key] = option if known == option else None
        index.update(tier)
    return index


def _by_position(options: Sequence[Option], number: int) -> Option | None:
    found = [option for option in options if option.position == number]
    return found[0] if len(found) == 1 else None


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FFFF
    )


def _token_fits(part: str, key_token: str) -> bool:
    if key_token.startswith(part):
        return True
    # Chinese has no spaces between words: allow a fragment anywhere in the token.
    return any(_is_cjk(c) for c in part) and part in key_token


def _fragment_of(reply: list[str], key: list[str]) -> bool:
    """Each reply word starts (or, for CJK, is inside) a different word of ``key``."""
    if len(reply) > len(key):
        return False

    failed: set[tuple[int, frozenset[int]]] = set()

    def assign(i: int, used: frozenset[int]) -> bool:
        if i == len(reply):
            return True
        if (i, used) in failed:
            return False
        if any(
            j not in used and _token_fits(reply[i], key[j]) and assign(i + 1, used | {j})
            for j in range(len(key))
        ):
            return True
        failed.add((i, used))
        return False

    return assign(0, frozenset())


def _fuzzy_match(normalised: str, options: Sequence[Option]) -> Option | None:
    compact = normalised.replace(" ", "")
    minimum = 2 if any(_is_cjk(c) for c in compact) else 3
    if len(compact) < minimum:
        return None
    reply = normalised.split()
    matched: list[Option] = []
    for option in options:
        keys = _primary_keys(option) | _secondary_keys(option)
        if any(_fragment_of(reply, key.split()) for key in keys) and option not in matched:
            matched.append(option)
    return matched[0] if len(matched) == 1 else None


def _number_reply(normalised: str, options: Sequence[Option]) -> tuple[bool, Option | None]:
    """(is it a number reply, its option) for "2", "option 2", "#2", "2️⃣"."""
    words = normalised.split()
    if len(words) == 2 and words[0] in _NUMBER_PREFIXES:
        words = words[1:]
    if len(words) == 1 and _is_number(words[0]):
        number = _small_int(words[0])
        return True, None if number is None else _by_position(options, number)
    return False, None


def _match_one(normalised: str, options: Sequence[Option]) -> Option | None:
    if not normalised or not options:
        return None
    is_number, by_number = _number_reply(normalised, options)
    if by_number is not None:
        return by_number
    index = _exact_index(options)
    if normalised in index:
        return index[normalised]
    # "2 fairly satisfied", copied from the prompt: the number and the label must agree.
    words = normalised.split()
    if len(words) > 1 and _is_number(words[0]):
        number = _small_int(words[0])
        option = None if number is None else _by_position(options, number)
        rest = " ".join(words[1:])
        if option is not None and index.get(rest) == option:
            return option
    if is_number:
        return None  # a bare number that is no option's position
    return _fuzzy_match(normalised, options)


def parse_choice(text: str, options: Sequence[Option]) -> Option | None:
    """The single option meant by ``text``, or None when no option or several fit.

    Accepts the number shown ("2", " 2. ", "option 2", "#2", "2️⃣"), the option's name
    ("very_satisfied", "very satisfied"), or a label or alias in any of the option's
    languages.  Exact (normalised) matches are tried first; then a reply of at least three
    characters whose words each start a different word of exactly one option's label
    ("fairly sat", "satisfied fairly").  Letters ("a", "b") are not option references.
    """
    return _match_one(normalise(text), options)


_SEPARATORS = re.compile(r"[,;/|\n\u060c\u061b\u3001\uff0c\uff1b]+")


def _segment_exact(
    tokens: list[str], options: Sequence[Option], conjunctions: frozenset[str]
) -> list[Option] | None:
    """Split ``tokens`` into option numbers, exact labels and conjunctions (or fail)."""
    index = _exact_index(options)
    longest = max((len(key.split()) for key in index), default=0)
    n = len(tokens)
    best: list[list[Option] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        found: list[Option] | None = None
        for j in range(min(n, i + longest), i, -1):
            option = index.get(" ".join(tokens[i:j]))
            rest = best[j]
            if option is not None and rest is not None:
                found = [option, *rest]
                break
        if found is None and _is_number(tokens[i]):
            number = _small_int(tokens[i])
            option = None if number is None else _by_position(options, number)
            rest = best[i + 1]
            if option is not None and rest is not None:
                found = [option, *rest]
        if found is None:
            skippable = tokens[i] in conjunctions or (
                tokens[i] in _NUMBER_PREFIXES and i + 1 < n and _is_number(tokens[i + 1])
            )
            if skippable:
                found = best[i + 1]
        best[i] = found
    return best[0]


def _split_on(tokens: Iterable[str], conjunctions: frozenset[str]) -> list[list[str]]:
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in conjunctions:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _runs(tokens: list[str]) -> list[str]:
    """Digits one by one, other words grouped: ["1", "3", "large print"]."""
    runs: list[str] = []
    words: list[str] = []
    for i, token in enumerate(tokens):
        if _is_number(token) or (
            token in _NUMBER_PREFIXES and i + 1 < len(tokens) and _is_number(tokens[i + 1])
        ):
            if words:
                runs.append(" ".join(words))
                words = []
            if _is_number(token):
                runs.append(token)
        else:
            words.append(token)
    if words:
        runs.append(" ".join(words))
    return runs


def _dedupe(chosen: Iterable[Option]) -> list[Option]:
    result: list[Option] = []
    for option in chosen:
        if option not in result:
            result.append(option)
    return result


def parse_choices(
    text: str, options: Sequence[Option], vocabulary: Vocabulary
) -> list[Option] | None:
    """The options chosen in a select-multiple reply, in the order given, without repeats.

    Accepts "1,3", "1 3", "1 and 3", "1, 3 & 4", "large print and email", and mixtures
    of numbers and labels.  None when nothing is given or any part matches no option.
    """
    normalised = normalise(text)
    if not normalised or not options:
        return None
    conjunctions = frozenset(vocabulary.conjunctions | {"&"})
    if all(token in conjunctions for token in normalised.split()):
        return None

    single = _match_one(normalised, options)
    if single is not None:
        return [single]

    exact = _segment_exact(normalised.split(), options, conjunctions)
    if exact:
        return _dedupe(exact)

    chosen: list[Option] = []
    for segment in _SEPARATORS.split(text):
        for part in _split_on(normalise(segment).split(), conjunctions):
            option = _match_one(" ".join(part), options)
            if option is not None:
                chosen.append(option)
                continue
            for run in _runs(part):
                option = _match_one(run, options)
                if option is None:
                    return None
                chosen.append(option)
    return _dedupe(chosen) or None


# --------------------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------------------


def parse_yes_no(text: str, vocabulary: Vocabulary) -> bool | None:
    """True for a yes word, False for a no word ("1" = yes, "2" = no), else None.

    The whole reply must be a yes (or no) word or phrase; a reply made only of yes words
    ("ok sure", "👍👍") counts too.  Mixed replies ("yes no") are None.
    """
    normalised = normalise(text)
    if not normalised:
        return None
    yes = vocabulary.yes | {"1"}
    no = vocabulary.no | {"2"}
    if normalised in yes and normalised not in no:
        return True
    if normalised in no and normalised not in yes:
        return False
    words = set(normalised.split())
    if words <= yes and not words & no:
        return True
    if words <= no and not words & yes:
        return False
    return None


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------

_NUMERIC_FOLDS = str.maketrans(
    {
        **_DIGITS,
        0x066B: ".",  # Arabic decimal separator
        0x066C: ",",  # Arabic thousands separator
        0x2212: "-",  # minus sign
        0xFE0E: None,
        0xFE0F: None,
    }
)


def _prepare_number(text: str) -> str:
    """Digits to ASCII, keycaps to digits, invisible characters removed, trimmed."""
    text = _replace_keycaps(text, "").translate(_NUMERIC_FOLDS)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", text).strip()


_INTEGER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)[.!]?")


def parse_integer(text: str) -> int | None:
    """A whole number: "42", " 42 ", "1,200", "+3", "-2".  Not "4.5", not words."""
    match = _INTEGER.fullmatch(_prepare_number(text))
    if match is None:
        return None
    value = _small_int(match.group(2).replace(",", ""))
    if value is None:
        return None
    return -value if match.group(1) == "-" else value


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


_DECIMAL_CHARACTERS = re.compile(r"[+-]?[\d.,' \u00a0\u202f]+")
_POINT_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_MAX_DECIMAL_LENGTH = 64


def parse_decimal(text: str, locale: str) -> Decimal | None:
    """A decimal number written for ``locale`` ("3,5" in pl, ro, pt), or with a point.

    Grouping must be well formed for the locale ("1,200.5" in en, "1.200,5" in pt); a
    reply that the locale cannot read is tried once more with "." as the decimal point.
    Exponents, NaN and infinity are rejected.
    """
    prepared = _prepare_number(text)
    if (
        len(prepared) > _MAX_DECIMAL_LENGTH
        or not _DECIMAL_CHARACTERS.fullmatch(prepared)
        or not any(c.isdigit() for c in prepared)
    ):
        return None
    babel_locale = _locale(locale)
    candidate = prepared
    group = get_group_symbol(babel_locale)
    if group.isspace():
        candidate = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d)", group, candidate)
    value: Decimal | None
    try:
        value = babel_parse_decimal(candidate, babel_locale, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        value = None
    if value is None:
        if not _POINT_DECIMAL.fullmatch(prepared):
            return None
        try:
            value = Decimal(prepared)
        except InvalidOperation:
            return None
    return value if value.is_finite() else None


# --------------------------------------------------------------------------------------
# Scales
# --------------------------------------------------------------------------------------

_STARS = frozenset({"*", "⭐", "★", "🌟", "✩", "✪", "✫", "✬", "✭", "✮", "✯", "✰"})

#: Faces for a five-point scale, as offsets from the minimum.
_FACES: Mapping[str, int] = {
    "😠": 0,
    "😡": 0,
    "🙁": 1,
    "☹": 1,
    "😐": 2,
    "🙂": 3,
    "😀": 4,
    "😃": 4,
    "😄": 4,
    "😁": 4,
}

_SCALE = re.compile(
    r"(?:#\s*)?([+-]?\d{1,9})"
    r"(?:\s*(?:/|\u2044|out\s+of|of|allan\s+o|o|z|na|din|de|من)\s*(\d{1,9}))?"
    r"(?:\s*(?:stars?|points?|pts))?[\s.!]*",
    re.IGNORECASE,
)


def parse_scale(text: str, minimum: int, maximum: int) -> int | None:
    """A point on the scale ``minimum``..``maximum``, or None when outside it.

    Accepts digits ("4", "4/5", "4 out of 5" - the "out of" must be ``maximum``), a row of
    stars ("⭐⭐⭐", "★★★★", "***"), keycap emoji ("4️⃣") and, on a five-point scale only,
    faces: 😠/😡 lowest, 🙁/☹️, 😐, 🙂, 😀/😃/😄/😁 highest.
    """
    if minimum > maximum:
        return None
    prepared = _prepare_number(text)
    compact = "".join(prepared.split())
    value: int | None = None
    if compact and all(c in _STARS for c in compact):
        value = len(compact)
    elif compact in _FACES:
        value = minimum + _FACES[compact] if maximum - minimum == 4 else None
    else:
        match = _SCALE.fullmatch(prepared)
        if match is not None:
            if match.group(2) is not None and _small_int(match.group(2)) != maximum:
                return None
            sign = -1 if match.group(1).startswith("-") else 1
            number = _small_int(match.group(1).lstrip("+-"))
            value = None if number is None else sign * number
    if value is None or not minimum <= value <= maximum:
        return None
    return value


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_ENGLISH_MONTHS: Mapping[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

_DATE_FILLERS = frozenset({"of", "the", "de"})  # "31st of March", pt "31 de março de 2024"
_ORDINAL = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_CJK_DATE = re.compile(r"(\d{2}|\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?")
_TWO_DIGIT_YEAR_LOOKAHEAD = 10
_EARLIEST_YEAR = 1000


@lru_cache(maxsize=64)
def _month_names(locale: str) -> Mapping[str, int]:
    """Normalised month name -> month number: the locale's names, then English."""
    babel_locale = _locale(locale)
    names: dict[str, int] = {}
    ambiguous: set[str] = set()
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for month, name in get_month_names(width, context, babel_locale).items():
                key = normalise(str(name))
                if not key:
                    continue
                if names.get(key, month) != month:
                    ambiguous.add(key)
                names[key] = int(month)
    for key in ambiguous:
        del names[key]
    for key, month in _ENGLISH_MONTHS.items():
        names.setdefault(key, month)
    return names


def _year(digits: str, today: datetime.date) -> int | None:
    number = _small_int(digits)
    if number is None:
        return None
    if len(digits) == 4:
        return number if number >= _EARLIEST_YEAR else None
    if len(digits) == 2:
        year = today.year - today.year % 100 + number
        if year > today.year + _TWO_DIGIT_YEAR_LOOKAHEAD:
            year -= 100
        return year
    return None


def _make_date(year: str, month: int | str, day: str, today: datetime.date) -> datetime.date | None:
    if isinstance(month, str):
        month_number = _small_int(month) if len(month) <= 2 else None
    else:
        month_number = month
    full_year = _year(year, today)
    day_number = _small_int(day) if len(day) <= 2 else None
    if full_year is None or month_number is None or day_number is None:
        return None
    try:
        return datetime.date(full_year, month_number, day_number)
    except (ValueError, OverflowError):
        return None


def parse_date(text: str, locale: str, today: datetime.date) -> datetime.date | None:
    """A calendar date, read day first (UK style).

    Accepts "2024-03-31", "31/03/2024", "31-3-2024", "31.03.2024", two-digit years
    (resolved to the century that puts the year no more than ten years after ``today``),
    "31 March 2024", "31 Mar 2024", "31st of March 2024", "March 31 2024", month names of
    ``locale`` ("31 Mawrth 2024", "31 marca 2024"), "2024年3月31日", and "today" or
    "yesterday".  None for impossible dates such as 31/02.
    """
    normalised = normalise(text)
    if normalised == "today":
        return today
    if normalised == "yesterday":
        return today - datetime.timedelta(days=1)
    cjk = _CJK_DATE.fullmatch(normalised)
    if cjk is not None:
        return _make_date(cjk.group(1), cjk.group(2), cjk.group(3), today)

    tokens: list[str] = []
    for token in normalised.split():
        if token in _DATE_FILLERS:
            continue
        ordinal = _ORDINAL.fullmatch(token)
        tokens.append(ordinal.group(1) if ordinal else token)
    if len(tokens) != 3:
        return None
    first, second, third = tokens
    if all(_is_number(token) for token in tokens):
        if len(first) == 4:
            return _make_date(first, second, third, today)
        return _make_date(third, second, first, today)

    months = _month_names(locale)
    if second in months and _is_number(first) and _is_number(third):
        if len(first) == 4:  # 2024 March 31
            return _make_date(first, months[second], third, today)
        return _make_date(third, months[second], first, today)  # 31 March 2024
    if first in months and _is_number(second) and _is_number(third):  # March 31 2024
        return _make_date(third, months[first], second, today)
    return None
