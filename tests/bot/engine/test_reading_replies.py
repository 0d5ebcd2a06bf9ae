"""Dates in British English, dates without a year, relative words, thumbs, number words and
blank answers, in each of the ten languages (issue 13, points 3 and 6)."""

from __future__ import annotations

import datetime

import pytest

from bot.engine import commands
from bot.engine.answers import Invalid, Parsed, parse_answer
from bot.engine.render import date_example, display_value, question_prompt
from bot.engine.replies import Option, parse_choice, parse_choices, parse_date, parse_scale
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import translator
from bot.questionnaire.model import LocalText, Question, QuestionType
from bot.questionnaire.registry import load_questionnaire
from bot.settings import DEFAULT_QUESTIONNAIRES

TODAY = datetime.date(2026, 12, 6)

# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------


def test_the_english_date_hint_is_british_and_the_parser_reads_it() -> None:
    assert date_example("en") == "31/03/2025"
    assert parse_date(date_example("en"), "en", TODAY) == datetime.date(2025, 3, 31)
    assert parse_date("3/31/25", "en", TODAY) is None  # day first, as the hint shows
    question = Question("moved", QuestionType.DATE, LocalText({"en": "When?"}, "en"))
    prompt = question_prompt(
        question, "en", questionnaire=None, answers={}, landlord="L", tr=translator("en")
    )
    assert "for example 31/03/2025" in prompt.text
    assert display_value(question, datetime.date(2025, 3, 31), "en", translator("en")) == (
        "31 March 2025"
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_languages_hint_reads_back_as_the_same_date(language: str) -> None:
    assert parse_date(date_example(language), language, TODAY) == datetime.date(2025, 3, 31)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("12 March", TODAY, datetime.date(2026, 3, 12)),
        ("12/3", TODAY, datetime.date(2026, 3, 12)),
        ("12th of March", TODAY, datetime.date(2026, 3, 12)),
        ("March 12", TODAY, datetime.date(2026, 3, 12)),
        ("6 Dec", TODAY, TODAY),  # today counts
        ("7/12", TODAY, datetime.date(2025, 12, 7)),  # tomorrow's day: last year's
        ("12 March", datetime.date(2026, 3, 1), datetime.date(2025, 3, 12)),
        ("29/2", TODAY, datetime.date(2024, 2, 29)),  # the last 29 February
        ("3月12日", TODAY, datetime.date(2026, 3, 12)),
        ("12 Mawrth", TODAY, datetime.date(2026, 3, 12)),
    ],
)
def test_a_date_without_a_year_is_the_most_recent_such_day(
    text: str, today: datetime.date, expected: datetime.date
) -> None:
    language = "cy" if "Mawrth" in text else "zh" if "月" in text else "en"
    assert parse_date(text, language, today) == expected


@pytest.mark.parametrize("text", ["31/4", "0/3", "12/13", "March", "12 Smarch"])
def test_impossible_dates_without_a_year_are_refused(text: str) -> None:
    assert parse_date(text, "en", TODAY) is None


RELATIVE = {
    "en": ("today", "tomorrow", "yesterday"),
    "cy": ("heddiw", "yfory", "ddoe"),
    "pl": ("dzisiaj", "jutro", "wczoraj"),
    "ro": ("azi", "mâine", "ieri"),
    "pa": ("ਅੱਜ", "ਭਲਕੇ", "ਬੀਤੇ ਕੱਲ੍ਹ"),
    "ur": ("آج", "آئندہ کل", "گزشتہ کل"),
    "pt": ("hoje", "amanhã", "ontem"),
    "zh": ("今天", "明天", "昨天"),
    "ar": ("اليوم", "غدا", "أمس"),
    "bn": ("আজ", "আগামীকাল", "গতকাল"),
}


def test_relative_words_are_listed_for_every_shipped_language() -> None:
    assert set(RELATIVE) == set(LANGUAGES)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_relative_date_words_in_each_language(language: str) -> None:
    tr = translator(language)
    question = Question("when", QuestionType.DATE, LocalText({"en": "When?"}, "en"))
    days = commands.relative_days(tr)
    for word, offset in zip(RELATIVE[language], (0, 1, -1), strict=True):
        assert parse_date(word, language, TODAY, days) == TODAY + datetime.timedelta(offset)
        parsed = parse_answer(
            question, word, language=language, default_language="en", tr=tr, today=TODAY
        )
        assert parsed == Parsed(TODAY + datetime.timedelta(offset))
    # English words work in every language, as they do for commands.
    assert parse_date("yesterday", language, TODAY, days) == datetime.date(2026, 12, 5)


# --------------------------------------------------------------------------------------
# Thumbs on ratings
# --------------------------------------------------------------------------------------


def test_thumbs_on_a_five_point_scale_are_the_milder_points() -> None:
    assert parse_scale("👍", 1, 5) == 4
    assert parse_scale("👎🏽", 1, 5) == 2
    assert parse_scale("👍", 0, 4) == 3
    assert parse_scale("👍", 0, 10) is None  # no sensible reading on other scales


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_thumbs_on_a_tsm_rating_in_each_language(language: str) -> None:
    tsm = load_questionnaire(DEFAULT_QUESTIONNAIRES / "tsm_perception.yaml")
    tr = translator(language)

    def read(name: str, text: str) -> object:
        result = parse_answer(
            tsm.question(name), text, language=language, default_language="en", tr=tr, today=TODAY
        )
        return result.value if isinstance(result, Parsed) else None

    assert read("tp01_overall", "👍") == 2  # fairly satisfied
    assert read("tp01_overall", "👎") == 4  # fairly dissatisfied
    assert read("tp08_fair_respect", "👍") == 2  # agree
    assert read("tp05_safe_home", "👎🏻") == 4  # "don't know" is not part of the scale


def test_thumbs_mean_nothing_on_a_choice_question_without_a_measure() -> None:
    post_repair = load_questionnaire(DEFAULT_QUESTIONNAIRES / "post_repair.yaml")
    conduct = post_repair.question("operative_conduct")
    result = parse_answer(
        conduct, "👍", language="en", default_language="en", tr=translator("en"), today=TODAY
    )
    assert result == Invalid(translator("en")(texts.INVALID_CHOICE))


# --------------------------------------------------------------------------------------
# Number words in choices
# --------------------------------------------------------------------------------------

OPTIONS = [Option(n, n * 10, f"option_{n}", (f"Label {n}",), ()) for n in range(1, 6)]
NUMBER_WORDS = {
    "en": ("two", "one and three"),
    "cy": ("dau", "un a tri"),
    "pl": ("dwa", "jeden i trzy"),
    "ro": ("doi", "unu și trei"),
    "pa": ("ਦੋ", "ਇੱਕ ਅਤੇ ਤਿੰਨ"),
    "ur": ("دو", "ایک اور تین"),
    "pt": ("dois", "um e três"),
    "zh": ("二", "一和三"),
    "ar": ("اثنان", "واحد و ثلاثة"),
    "bn": ("দুই", "এক আর তিন"),
}


def test_number_words_are_listed_for_every_shipped_language() -> None:
    assert set(NUMBER_WORDS) == set(LANGUAGES)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_number_words_choose_options_in_each_language(language: str) -> None:
    vocabulary = commands.vocabulary(translator(language))
    two, one_and_three = NUMBER_WORDS[language]
    assert [o.position for o in parse_choices(two, OPTIONS, vocabulary) or []] == [2]
    assert [o.position for o in parse_choices(one_and_three, OPTIONS, vocabulary) or []] == [1, 3]
    assert [o.position for o in parse_choices("two, three", OPTIONS, vocabulary) or []] == [2, 3]
    assert parse_choice(two, OPTIONS, vocabulary.number_words) == OPTIONS[1]
    assert parse_choices("two and eleven", OPTIONS, vocabulary) is None


def test_a_label_that_is_a_number_word_still_means_its_option() -> None:
    options = [Option(1, 1, "none", ("None",), ()), Option(2, 2, "one", ("One",), ())]
    vocabulary = commands.vocabulary(translator("en"))
    assert [o.name for o in parse_choices("one", options, vocabulary) or []] == ["one"]


# --------------------------------------------------------------------------------------
# Blank text answers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_blank_text_answer_is_told_it_is_empty_not_too_long(language: str) -> None:
    tr = translator(language)
    question = Question("comment", QuestionType.TEXT, LocalText({"en": "Anything?"}, "en"))
    result = parse_answer(
        question, "  \n ", language=language, default_language="en", tr=tr, today=TODAY
    )
    assert result == Invalid(tr(texts.INVALID_EMPTY_TEXT))
    assert result.message != tr(texts.INVALID_TEXT, limit=1000)
    if language != "en":  # every catalog has the sentence
        assert result.message != texts.INVALID_EMPTY_TEXT


def test_catalogs_define_the_new_word_lists() -> None:
    for language in LANGUAGES:
        if language == "en":
            continue
        tr = translator(language)
        for message in (texts.TODAY_WORDS, texts.NUMBER_WORDS, texts.INVALID_EMPTY_TEXT):
            assert tr(message) != message, (language, message)
    for language in LANGUAGES:
        assert len(translator(language)(texts.NUMBER_WORDS).split(",")) == 10, language
