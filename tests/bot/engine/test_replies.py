"""Tests for bot.engine.replies: forgiving parsing of tenants' replies."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.replies import (
    ENGLISH,
    Option,
    Vocabulary,
    merge,
    normalise,
    parse_choice,
    parse_choices,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_scale,
    parse_yes_no,
)

WELSH = Vocabulary(
    yes=frozenset({"ie", "do", "ydw", "oes"}),
    no=frozenset({"na", "naddo", "nac ydw", "nac oes"}),
    conjunctions=frozenset({"a", "ac"}),
)

# Welsh tenant: Welsh label first, then the default (English) label.
SATISFACTION_CY = [
    Option(1, 1, "very_satisfied", ("Bodlon iawn", "Very satisfied"), ("delighted", "very happy")),
    Option(2, 2, "fairly_satisfied", ("Eithaf bodlon", "Fairly satisfied"), ()),
    Option(
        3,
        3,
        "neither",
        ("Ddim yn fodlon nac yn anfodlon", "Neither satisfied nor dissatisfied"),
        (),
    ),
    Option(4, 4, "fairly_dissatisfied", ("Eithaf anfodlon", "Fairly dissatisfied"), ()),
    Option(5, 5, "very_dissatisfied", ("Anfodlon iawn", "Very dissatisfied"), ()),
    Option(6, 9, "dont_know", ("Ddim yn gwybod", "Don't know"), ()),
]

# Polish tenant.
SATISFACTION_PL = [
    Option(1, 1, "very_satisfied", ("Bardzo zadowolony", "Very satisfied"), ()),
    Option(2, 2, "fairly_satisfied", ("Raczej zadowolony", "Fairly satisfied"), ()),
    Option(3, 3, "very_dissatisfied", ("Bardzo niezadowolony", "Very dissatisfied"), ()),
]

NEEDS = [
    Option(1, 1, "large_print", ("Large print",), ()),
    Option(2, 2, "braille", ("Braille",), ()),
    Option(3, 3, "audio", ("Audio",), ("cd",)),
    Option(4, 4, "email", ("Email",), ("e-mail",)),
    Option(5, 5, "easy_read", ("Easy read",), ()),
    Option(6, 6, "bsl", ("British Sign Language interpreter",), ("BSL", "sign language")),
    Option(7, 7, "print_and_email", ("Print and email",), ()),
]

TODAY = datetime.date(2026, 5, 10)
LOCALES = ["en", "cy", "pl", "ro", "pa", "ur", "pt", "zh", "ar", "bn"]


def names(options: list[Option] | None) -> list[str] | None:
    return None if options is None else [option.name for option in options]


def name(option: Option | None) -> str | None:
    return None if option is None else option.name


# --------------------------------------------------------------------------------------
# normalise
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Bodlon   IAWN  ", "bodlon iawn"),
        ("bodlôn iawn", "bodlon iawn"),
        ("Dŵr", "dwr"),
        ("Zażółć gęślą jaźń", "zazolc gesla jazn"),
        ("Mulțumit", "multumit"),
        ("Satisfeito, não!", "satisfeito nao"),
        ("Don't know.", "don t know"),
        ("very_satisfied", "very satisfied"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("a&b", "a & b"),
        ("1, 3 & 4", "1 3 & 4"),
        ("tab\tand\nnewline\u00a0nbsp", "tab and newline nbsp"),
        ("\u200fyes\u200e", "yes"),
        ("", ""),
        ("  ...  ", ""),
    ],
)
def test_normalise_latin(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٣", "3"),  # Arabic-Indic
        ("۴۲", "42"),  # Extended Arabic-Indic (Urdu)
        ("৩১", "31"),  # Bengali
        ("੧੨", "12"),  # Gurmukhi
        ("１２３", "123"),  # full-width
        ("2️⃣", "2"),  # keycap
        ("🔟", "10"),
    ],
)
def test_normalise_digits(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "مطمئن جداً",  # Arabic with a tanween mark
        "بہت مطمئن",  # Urdu
        "খুব সন্তুষ্ট",  # Bengali (virama, vowel signs)
        "ਬਹੁਤ ਸੰਤੁਸ਼ਟ",  # Gurmukhi
        "非常满意",  # Chinese
    ],
)
def test_normalise_keeps_non_latin_scripts(text: str) -> None:
    assert normalise(text) == unicodedata.normalize("NFC", text)
    assert normalise(f"  {text}! ") == unicodedata.normalize("NFC", text)


def test_normalise_punctuation_of_other_scripts() -> None:
    assert normalise("نعم،") == "نعم"
    assert normalise("是。") == "是"
    assert normalise("হ্যাঁ।") == "হ্যাঁ"


def test_normalise_emoji_are_words() -> None:
    assert normalise("👍🏽yes") == "👍 yes"
    assert normalise("⭐️⭐️") == "⭐ ⭐"


# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------


def test_english_vocabulary() -> None:
    assert {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "correct", "true", "👍"} == set(
        ENGLISH.yes
    )
    assert {"no", "n", "nope", "nah", "false", "👎"} == set(ENGLISH.no)
    assert {"and", "&", "plus"} == set(ENGLISH.conjunctions)
    for word in ENGLISH.yes | ENGLISH.no | ENGLISH.conjunctions:
        assert normalise(word) == word


def test_merge() -> None:
    merged = merge(ENGLISH, WELSH)
    assert merged.yes == ENGLISH.yes | WELSH.yes
    assert merged.no == ENGLISH.no | WELSH.no
    assert merged.conjunctions == ENGLISH.conjunctions | WELSH.conjunctions
    assert merge() == Vocabulary(frozenset(), frozenset(), frozenset())


# --------------------------------------------------------------------------------------
# parse_choice
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Position numbers.
        ("2", "fairly_satisfied"),
        (" 2. ", "fairly_satisfied"),
        ("2)", "fairly_satisfied"),
        ("option 2", "fairly_satisfied"),
        ("Option 2", "fairly_satisfied"),
        ("no. 2", "fairly_satisfied"),
        ("rhif 2", "fairly_satisfied"),
        ("#2", "fairly_satisfied"),
        ("2️⃣", "fairly_satisfied"),
        ("٢", "fairly_satisfied"),
        ("６", "dont_know"),
        # Names.
        ("very_satisfied", "very_satisfied"),
        ("very satisfied", "very_satisfied"),
        ("dont_know", "dont_know"),
        # Labels: tenant's language, default language, case, accents, punctuation.
        ("Bodlon iawn", "very_satisfied"),
        ("bodlôn iawn", "very_satisfied"),
        ("BODLON IAWN!!", "very_satisfied"),
        ("Very satisfied", "very_satisfied"),
        ("very satisfied.", "very_satisfied"),
        ("Don't know", "dont_know"),
        ("dont know", "dont_know"),
        ("don’t know", "dont_know"),
        # Aliases.
        ("delighted", "very_satisfied"),
        ("Very happy!", "very_satisfied"),
        # Number with the label copied from the prompt.
        ("2. Fairly satisfied", "fairly_satisfied"),
        # Unique prefix / containment.
        ("fairly sat", "fairly_satisfied"),
        ("satisfied fairly", "fairly_satisfied"),
        ("very dis", "very_dissatisfied"),
        ("neither", "neither"),
        ("eithaf bod", "fairly_satisfied"),
    ],
)
def test_parse_choice_accepts(text: str, expected: str) -> None:
    assert name(parse_choice(text, SATISFACTION_CY)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "7",  # neither an option shown as 7 nor an option stored as 7 (see test_tsm_codes)
        "0",
        "12",
        "a",  # letters are not option references
        "b",
        "very",  # prefix of several labels
        "satisfied",  # inside several labels
        "anfodlon",  # inside several Welsh labels
        "fa",  # too short to guess from
        "2 very satisfied",  # number and label disagree
        "1 and 3",  # a single choice only
        "pizza",
        "option",
    ],
)
def test_parse_choice_rejects(text: str) -> None:
    assert parse_choice(text, SATISFACTION_CY) is None


def test_parse_choice_polish_labels() -> None:
    assert name(parse_choice("Bardzo zadowolony", SATISFACTION_PL)) == "very_satisfied"
    assert name(parse_choice("bardzo zadowolony!", SATISFACTION_PL)) == "very_satisfied"
    assert name(parse_choice("raczej", SATISFACTION_PL)) == "fairly_satisfied"
    assert name(parse_choice("niezadowolony", SATISFACTION_PL)) == "very_dissatisfied"
    assert name(parse_choice("opcja 3", SATISFACTION_PL)) == "very_dissatisfied"
    assert name(parse_choice("Very satisfied", SATISFACTION_PL)) == "very_satisfied"
    assert parse_choice("bardzo", SATISFACTION_PL) is None  # two labels start so


def test_parse_choice_non_latin_labels() -> None:
    options = [
        Option(1, 1, "yes_a_lot", ("非常满意", "Very satisfied"), ()),
        Option(2, 2, "satisfied", ("比较满意", "Fairly satisfied"), ()),
        Option(3, 3, "arabic", ("راضٍ جداً", "Arabic label"), ()),
        Option(4, 4, "bengali", ("খুব সন্তুষ্ট", "Bengali label"), ()),
    ]
    assert name(parse_choice("非常满意。", options)) == "yes_a_lot"
    assert name(parse_choice("比较", options)) == "satisfied"
    assert parse_choice("满意", options) is None  # in both Chinese labels
    assert name(parse_choice("راضٍ جداً", options)) == "arabic"
    assert name(parse_choice("খুব সন্তুষ্ট।", options)) == "bengali"
    assert name(parse_choice("٣", options)) == "arabic"
    assert name(parse_choice("৪", options)) == "bengali"


def test_parse_choice_tenant_language_wins_a_clash() -> None:
    # "Da" is the Welsh label of option 1 and (oddly) the English label of option 2.
    options = [
        Option(1, 1, "good", ("Da", "Good"), ()),
        Option(2, 2, "other", ("Arall", "Da"), ()),
    ]
    assert name(parse_choice("da", options)) == "good"


def test_parse_choice_shared_label_is_ambiguous() -> None:
    options = [
        Option(1, 1, "a", ("Same",), ()),
        Option(2, 2, "b", ("Same",), ()),
    ]
    assert parse_choice("same", options) is None
    assert name(parse_choice("2", options)) == "b"


def test_parse_choice_no_options() -> None:
    assert parse_choice("1", []) is None


def test_parse_choice_number_label_when_no_such_position() -> None:
    options = [Option(1, 0, "none", ("0",), ()), Option(2, 1, "one_or_more", ("1+",), ())]
    assert name(parse_choice("0", options)) == "none"
    assert name(parse_choice("1", options)) == "none"  # the position wins


# --------------------------------------------------------------------------------------
# parse_choices
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,3", ["large_print", "audio"]),
        ("1, 3", ["large_print", "audio"]),
        ("1 3", ["large_print", "audio"]),
        ("1;3", ["large_print", "audio"]),
        ("1 and 3", ["large_print", "audio"]),
        ("1 AND 3.", ["large_print", "audio"]),
        ("1, 3 & 4", ["large_print", "audio", "email"]),
        ("1 plus 4", ["large_print", "email"]),
        ("1️⃣ 3️⃣", ["large_print", "audio"]),
        ("١، ٣", ["large_print", "audio"]),
        ("option 1 and 3", ["large_print", "audio"]),
        ("large print and email", ["large_print", "email"]),
        ("Large print, e-mail", ["large_print", "email"]),
        ("large print email", ["large_print", "email"]),
        ("1 and braille", ["large_print", "braille"]),
        ("large print & email & 2", ["large_print", "email", "braille"]),
        ("sign language plus 1", ["bsl", "large_print"]),
        ("lar print, bsl", ["large_print", "bsl"]),  # fuzzy part
        ("3 3 1", ["audio", "large_print"]),  # duplicates removed, order kept
        ("email and 4", ["email"]),
        ("4", ["email"]),
        ("braille", ["braille"]),
        ("Print and email", ["print_and_email"]),  # a label containing a conjunction
        ("print and email and 2", ["print_and_email", "braille"]),
    ],
)
def test_parse_choices_accepts(text: str, expected: list[str]) -> None:
    assert names(parse_choices(text, NEEDS, ENGLISH)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ,  ",
        "and",
        "1 and 9",
        "large print and nonsense",
        "pizza",
        "1 a 2",  # "a" is no English conjunction
    ],
)
def test_parse_choices_rejects(text: str) -> None:
    assert parse_choices(text, NEEDS, ENGLISH) is None


def test_parse_choices_welsh_conjunctions() -> None:
    welsh = merge(WELSH, ENGLISH)
    assert names(parse_choices("1 a 2", NEEDS, welsh)) == ["large_print", "braille"]
    assert names(parse_choices("1 ac 4", NEEDS, welsh)) == ["large_print", "email"]
    assert names(parse_choices("bodlon iawn ac eithaf bodlon", SATISFACTION_CY, welsh)) == [
        "very_satisfied",
        "fairly_satisfied",
    ]


def test_parse_choices_ambiguous_part() -> None:
    assert parse_choices("1 and very", SATISFACTION_CY, ENGLISH) is None


# --------------------------------------------------------------------------------------
# parse_yes_no
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["yes", "Yes!", "Y", "yeah", "yep", "OK", "okay", "sure", "correct", "true", "👍", "👍🏽", "1"],
)
def test_parse_yes(text: str) -> None:
    assert parse_yes_no(text, ENGLISH) is True


@pytest.mark.parametrize("text", ["no", "NO.", "n", "nope", "nah", "false", "👎", "2", "2️⃣"])
def test_parse_no(text: str) -> None:
    assert parse_yes_no(text, ENGLISH) is False


@pytest.mark.parametrize("text", ["", "maybe", "yes no", "3", "yes please", "not sure"])
def test_parse_yes_no_unclear(text: str) -> None:
    assert parse_yes_no(text, ENGLISH) is None


def test_parse_yes_no_repeated_words() -> None:
    assert parse_yes_no("ok sure", ENGLISH) is True
    assert parse_yes_no("👍👍", ENGLISH) is True
    assert parse_yes_no("no no", ENGLISH) is False


def test_parse_yes_no_welsh() -> None:
    welsh = merge(WELSH, ENGLISH)
    assert parse_yes_no("Ie", welsh) is True
    assert parse_yes_no("Nac ydw", welsh) is False
    assert parse_yes_no("Ie", ENGLISH) is None


# --------------------------------------------------------------------------------------
# parse_scale
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4", 4),
        (" 4 ", 4),
        ("4.", 4),
        ("4/5", 4),
        ("4 / 5", 4),
        ("4 out of 5", 4),
        ("4 of 5", 4),
        ("4 stars", 4),
        ("⭐⭐⭐", 3),
        ("⭐️⭐️⭐️⭐️⭐️", 5),
        ("★★★★", 4),
        ("***", 3),
        ("* * *", 3),
        ("4️⃣", 4),
        ("٣", 3),
        ("۴", 4),
        ("৫", 5),
        ("੨", 2),
        ("😠", 1),
        ("😡", 1),
        ("🙁", 2),
        ("☹️", 2),
        ("☹", 2),
        ("😐", 3),
        ("🙂", 4),
        ("😀", 5),
        ("😃", 5),
        ("😄", 5),
        ("😁", 5),
    ],
)
def test_parse_scale_one_to_five(text: str, expected: int) -> None:
    assert parse_scale(text, 1, 5) == expected


@pytest.mark.parametrize(
    "text",
    ["", "0", "6", "4.5", "4/10", "8 out of 10", "⭐⭐⭐⭐⭐⭐", "four", "good", "4 5", "😐😐"],
)
def test_parse_scale_rejects(text: str) -> None:
    assert parse_scale(text, 1, 5) is None


def test_parse_scale_other_ranges() -> None:
    assert parse_scale("0", 0, 10) == 0
    assert parse_scale("10", 0, 10) == 10
    assert parse_scale("🔟", 0, 10) == 10
    assert parse_scale("8/10", 0, 10) == 8
    assert parse_scale("11", 0, 10) is None
    assert parse_scale("😐", 0, 10) is None  # faces only on a five-point scale
    assert parse_scale("😐", 0, 4) == 2
    assert parse_scale("-1", -2, 2) == -1
    assert parse_scale("3", 5, 1) is None  # empty scale


# --------------------------------------------------------------------------------------
# parse_integer
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        ("1,200", 1200),
        ("12,345,678", 12345678),
        ("+3", 3),
        ("-2", -2),
        ("−2", -2),  # minus sign
        ("0", 0),
        ("٤٢", 42),
        ("۴۲", 42),
        ("৪২", 42),
        ("੪੨", 42),
        ("４２", 42),
    ],
)
def test_parse_integer_accepts(text: str, expected: int) -> None:
    assert parse_integer(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "4.5", "forty two", "1,20", "1,2000", "1.200", "4 5", "--2", "+", "1e3", "9" * 40],
)
def test_parse_integer_rejects(text: str) -> None:
    assert parse_integer(text) is None


# --------------------------------------------------------------------------------------
# parse_decimal
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("3.5", "en", "3.5"),
        ("3.5", "cy", "3.5"),
        ("-2.5", "en", "-2.5"),
        ("1,200.5", "en", "1200.5"),
        ("42", "en", "42"),
        ("3,5", "pl", "3.5"),
        ("3,5", "ro", "3.5"),
        ("3,5", "pt", "3.5"),
        ("3.5", "pl", "3.5"),  # fallback to the point
        ("3.5", "pt", "3.5"),
        ("1.200,5", "pt", "1200.5"),
        ("1 200,5", "pl", "1200.5"),
        ("٣٫٥", "ar", "3.5"),
        ("٣٫٥", "ur", "3.5"),
        ("3.5", "xx", "3.5"),  # unknown locale: English rules
        ("3,5", "pt-BR", "3.5"),
    ],
)
def test_parse_decimal_accepts(text: str, locale: str, expected: str) -> None:
    assert parse_decimal(text, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("3,5", "en"),  # comma is no decimal separator in English
        ("3,5", "cy"),
        ("", "en"),
        ("NaN", "en"),
        ("nan", "pl"),
        ("inf", "en"),
        ("Infinity", "pt"),
        ("1e5", "en"),
        ("three", "en"),
        ("1.2.3", "en"),
    ],
)
def test_parse_decimal_rejects(text: str, locale: str) -> None:
    assert parse_decimal(text, locale) is None


# --------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------

MARCH_31 = datetime.date(2024, 3, 31)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("2024-03-31", "en"),
        ("31/03/2024", "en"),
        ("31/3/2024", "en"),
        ("31-3-2024", "en"),
        ("31.03.2024", "en"),
        ("31/03/24", "en"),
        ("31 March 2024", "en"),
        ("31 march 2024", "en"),
        ("31 Mar 2024", "en"),
        ("31 Mar. 2024", "en"),
        ("31st March 2024", "en"),
        ("31st of March, 2024", "en"),
        ("March 31, 2024", "en"),
        ("2024 March 31", "en"),
        ("31 Mawrth 2024", "cy"),
        ("31 Maw 2024", "cy"),
        ("31 March 2024", "cy"),  # English names are understood in every locale
        ("31 marca 2024", "pl"),
        ("31 marzec 2024", "pl"),
        ("31 martie 2024", "ro"),
        ("31 mar. 2024", "ro"),
        ("31 março 2024", "pt"),
        ("31 marco 2024", "pt"),
        ("31 de março de 2024", "pt"),
        ("2024年3月31日", "zh"),
        ("31 مارچ 2024", "ur"),
        ("31 مارس 2024", "ar"),
        ("৩১ মার্চ ২০২৪", "bn"),
        ("31 ਮਾਰਚ 2024", "pa"),
        ("٣١/٠٣/٢٠٢٤", "ar"),
        ("۳۱/۰۳/۲۰۲۴", "ur"),
    ],
)
def test_parse_date_accepts(text: str, locale: str) -> None:
    assert parse_date(text, locale, TODAY) == MARCH_31


def test_parse_date_relative() -> None:
    assert parse_date("today", "en", TODAY) == TODAY
    assert parse_date("Today!", "cy", TODAY) == TODAY
    assert parse_date("yesterday", "en", TODAY) == datetime.date(2026, 5, 9)


def test_parse_date_two_digit_years() -> None:
    assert parse_date("1/1/85", "en", TODAY) == datetime.date(1985, 1, 1)
    assert parse_date("1/1/05", "en", TODAY) == datetime.date(2005, 1, 1)
    assert parse_date("1/1/36", "en", TODAY) == datetime.date(2036, 1, 1)
    assert parse_date("1/1/37", "en", TODAY) == datetime.date(1937, 1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "31/02/2024",
        "29/02/2023",
        "32/01/2024",
        "31/13/2024",
        "31 Smarch 2024",
        "March 2024",
        "31/04",  # no 31 April in any year
        "0024-01-01",
        "31/03/024",
        "tomorrow-ish",
        "31 Mawrth 2024",  # Welsh month name in an English reply context
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text, "en", TODAY) is None


def test_parse_date_leap_day() -> None:
    assert parse_date("29/02/2024", "en", TODAY) == datetime.date(2024, 2, 29)


# --------------------------------------------------------------------------------------
# Nothing raises
# --------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(),
    locale=st.sampled_from([*LOCALES, "xx", "", "en-GB", "pt_BR"]),
    minimum=st.integers(-5, 5),
    span=st.integers(0, 10),
)
def test_parsers_never_raise(text: str, locale: str, minimum: int, span: int) -> None:
    assert isinstance(normalise(text), str)

    choice = parse_choice(text, SATISFACTION_CY)
    assert choice is None or isinstance(choice, Option)

    choices = parse_choices(text, NEEDS, merge(ENGLISH, WELSH))
    assert choices is None or (choices and all(isinstance(o, Option) for o in choices))

    answer = parse_yes_no(text, ENGLISH)
    assert answer is None or isinstance(answer, bool)

    point = parse_scale(text, minimum, minimum + span)
    assert point is None or (isinstance(point, int) and minimum <= point <= minimum + span)

    integer = parse_integer(text)
    assert integer is None or isinstance(integer, int)

    decimal = parse_decimal(text, locale)
    assert decimal is None or (isinstance(decimal, Decimal) and decimal.is_finite())

    date = parse_date(text, locale, TODAY)
    assert date is None or isinstance(date, datetime.date)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("0123456789 ,./-+&*#٣৫੨⭐😐👍\ufe0f\u20e3aneyst")),
        max_size=30,
    )
)
def test_parsers_never_raise_on_reply_like_text(text: str) -> None:
    for locale in LOCALES:
        parse_decimal(text, locale)
        parse_date(text, locale, TODAY)
    parse_choice(text, NEEDS)
    parse_choices(text, NEEDS, ENGLISH)
    parse_yes_no(text, ENGLISH)
    parse_scale(text, 1, 5)
    parse_integer(text)
