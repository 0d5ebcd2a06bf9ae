"""Tests for bot.i18n.sms_encoding: GSM-7 / UCS-2 encoding and segment counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n.sms_encoding import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    MAX_SMS_CHARACTERS,
    TYPOGRAPHIC_REPLACEMENTS,
    Encoding,
    SmsCost,
    sms_cost,
    to_gsm7_where_possible,
)


def test_alphabets() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes, one of them the escape
    assert len(GSM7_EXTENDED) == 10
    assert not GSM7_BASIC & GSM7_EXTENDED
    assert set("\f^{}\\[~]|€") == GSM7_EXTENDED
    for char in "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r ":
        assert char in GSM7_BASIC
    for char in "`çêâŵŷ’“”–—…\u00a0\t\x1b":
        assert char not in GSM7_BASIC
        assert char not in GSM7_EXTENDED


def test_encoding_is_a_string_enum() -> None:
    assert Encoding.GSM7.value == "GSM-7"
    assert Encoding.UCS2.value == "UCS-2"
    assert isinstance(Encoding.GSM7, str)
    assert str(Encoding.UCS2) == "UCS-2"
    assert Encoding("GSM-7") is Encoding.GSM7


def test_max_characters() -> None:
    assert MAX_SMS_CHARACTERS == 1600


def test_empty_text() -> None:
    assert sms_cost("") == SmsCost(Encoding.GSM7, 0, 1, ())


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4), (1600, 11)],
)
def test_gsm7_boundaries(length: int, segments: int) -> None:
    cost = sms_cost("a" * length)
    assert cost.encoding is Encoding.GSM7
    assert cost.units == length
    assert cost.segments == segments
    assert cost.non_gsm_characters == ()


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_boundaries(length: int, segments: int) -> None:
    cost = sms_cost("ŵ" * length)
    assert cost.encoding is Encoding.UCS2
    assert cost.units == length
    assert cost.segments == segments
    assert cost.non_gsm_characters == ("ŵ",)


@pytest.mark.parametrize("char", sorted(GSM7_EXTENDED))
def test_extended_characters_count_two(char: str) -> None:
    cost = sms_cost(char)
    assert cost.encoding is Encoding.GSM7
    assert cost.units == 2


def test_euro_and_bracket_in_a_message() -> None:
    text = "Rent [weekly] is €95"
    cost = sms_cost(text)
    assert cost.encoding is Encoding.GSM7
    assert cost.units == len(text) + 3
    assert cost.segments == 1


def test_extended_characters_push_over_one_part() -> None:
    assert sms_cost("a" * 158 + "€").segments == 1  # 160 septets
    assert sms_cost("a" * 159 + "€").segments == 2  # 161 septets
    assert sms_cost("€" * 80).segments == 1
    assert sms_cost("€" * 81).segments == 2


def test_extended_character_is_not_split_across_parts() -> None:
    # 152 septets then "€": the pair would straddle the part boundary, so it moves on.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_cost(text).units == 306
    assert sms_cost(text).segments == 3  # 306 septets would fit 2 parts if split
    assert sms_cost("a" * 151 + "€" + "a" * 153).segments == 2
    # 153 pairs of escape + character = 306 septets, 76 pairs per part.
    assert sms_cost("{" * 153).segments == 3
    assert sms_cost("{" * 152).segments == 2


def test_emoji_count_two_units() -> None:
    cost = sms_cost("Thanks 👍")
    assert cost.encoding is Encoding.UCS2
    assert cost.units == 9
    assert cost.non_gsm_characters == ("👍",)
    assert sms_cost("👍" * 35).segments == 1  # 70 units
    assert sms_cost("👍" * 36).segments == 2  # 72 units
    # A surrogate pair is not split: 66 units then an emoji starts the next part.
    assert sms_cost("a" * 66 + "👍" + "a" * 66).segments == 3
    assert sms_cost("a" * 65 + "👍" + "a" * 67).segments == 2


def test_welsh_circumflex_forces_ucs2() -> None:
    text = "Diolch am eich ateb. Ydych chi'n fodlon â'r gwaith ar y dŵr?"
    cost = sms_cost(text)
    assert cost.encoding is Encoding.UCS2
    assert cost.non_gsm_characters == ("â", "ŵ")
    assert cost.units == len(text)
    assert sms_cost(text.replace("â", "a").replace("ŵ", "w")).encoding is Encoding.GSM7


def test_non_gsm_characters_distinct_in_order() -> None:
    cost = sms_cost("“Dziękuję” – 谢谢 “ę”")
    assert cost.non_gsm_characters == ("“", "ę", "”", "–", "谢")


def test_other_scripts_are_ucs2() -> None:
    for text in ["شكرا", "شکریہ", "ধন্যবাদ", "ਧੰਨਵਾਦ", "谢谢", "Mulțumesc"]:
        assert sms_cost(text).encoding is Encoding.UCS2


def test_curly_quotes_replaced_back_to_gsm7() -> None:
    text = "We’ll call you on “Monday” – thanks… "
    assert sms_cost(text).encoding is Encoding.UCS2
    fixed = to_gsm7_where_possible(text)
    assert fixed == 'We\'ll call you on "Monday" - thanks... '
    assert sms_cost(fixed).encoding is Encoding.GSM7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("‘a’", "'a'"),
        ("“a”", '"a"'),
        ("a–b—c", "a-b-c"),
        ("wait…", "wait..."),
        ("10\u00a0Downing", "10 Downing"),
        ("• item", "* item"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_typographic_replacements(text: str, expected: str) -> None:
    assert to_gsm7_where_possible(text) == expected


def test_replacements_only_typographic() -> None:
    text = "Dŵr, tŷ, żółw, ș, 谢谢, 👍"
    assert to_gsm7_where_possible(text) == text
    assert sms_cost(to_gsm7_where_possible("Dŵr’s")).non_gsm_characters == ("ŵ",)


def test_replacements_are_gsm7() -> None:
    for source, target in TYPOGRAPHIC_REPLACEMENTS.items():
        assert len(source) == 1
        assert source not in GSM7_BASIC
        assert all(char in GSM7_BASIC for char in target)


@given(st.text())
def test_cost_is_consistent(text: str) -> None:
    cost = sms_cost(text)
    assert cost.segments >= 1
    if cost.encoding is Encoding.GSM7:
        assert cost.non_gsm_characters == ()
        assert cost.units >= len(text)
        assert cost.segments == 1 or cost.segments >= -(-cost.units // 153)
    else:
        assert cost.non_gsm_characters
        assert cost.units == len(text.encode("utf-16-le")) // 2
        assert cost.segments == 1 or cost.segments >= -(-cost.units // 67)
