"""Reading a reply as an answer to a question, and storing answers as JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from bot.engine import commands, render, replies
from bot.i18n import texts
from bot.i18n.languages import babel_locale
from bot.i18n.translate import Translator
from bot.questionnaire.model import Question, QuestionType

MAX_TEXT_LENGTH = 1000


@dataclass(frozen=True)
class Parsed:
    value: object


@dataclass(frozen=True)
class Invalid:
    message: str


def options(question: Question, language: str, default_language: str) -> list[replies.Option]:
    assert question.choices is not None
    result = []
    for position, choice in enumerate(question.choices.choices, start=1):
        labels = [choice.label.get(language)]
        if default_language != language:
            labels.append(choice.label.get(default_language))
        aliases = choice.aliases.get(language, ()) + choice.aliases.get(default_language, ())
        if choice.picture is not None:  # the words shown under a picture, typed back
            aliases += (choice.picture.alt.get(language),)
        result.append(
            replies.Option(position, choice.code, choice.name, tuple(labels), tuple(aliases))
        )
    return result


def parse_answer(
    question: Question,
    text: str,
    *,
    language: str,
    default_language: str,
    tr: Translator,
    today: datetime.date,
) -> Parsed | Invalid:
    kind = question.type
    if kind is QuestionType.TEXT:
        cleaned = text.strip()
        if not cleaned:
            return Invalid(tr(texts.INVALID_EMPTY_TEXT))
        if len(cleaned) > MAX_TEXT_LENGTH:
            return Invalid(tr(texts.INVALID_TEXT, limit=MAX_TEXT_LENGTH))
        return Parsed(cleaned)
    if kind is QuestionType.SELECT_ONE:
        offered = options(question, language, default_language)
        option = replies.parse_choice(text, offered, commands.vocabulary(tr).number_words)
        if option is not None:
            return Parsed(option.code)
        thumb = thumb_code(question, text)
        return Parsed(thumb) if thumb is not None else Invalid(tr(texts.INVALID_CHOICE))
    if kind is QuestionType.SELECT_MULTIPLE:
        chosen = replies.parse_choices(
            text, options(question, language, default_language), commands.vocabulary(tr)
        )
        return Parsed([o.code for o in chosen]) if chosen else Invalid(tr(texts.INVALID_CHOICES))
    if kind is QuestionType.YES_NO:
        answer = replies.parse_yes_no(text, commands.vocabulary(tr))
        return Parsed(answer) if answer is not None else Invalid(tr(texts.INVALID_YES_NO))
    if kind is QuestionType.SCALE:
        assert question.scale is not None
        low, high = question.scale.minimum, question.scale.maximum
        rating = replies.parse_scale(text, low, high)
        return (
            Parsed(rating)
            if rating is not None
            else Invalid(tr(texts.INVALID_SCALE, low=low, high=high))
        )
    if kind is QuestionType.INTEGER:
        number = replies.parse_integer(text)
        return Parsed(number) if number is not None else Invalid(tr(texts.INVALID_INTEGER))
    if kind is QuestionType.DECIMAL:
        decimal = replies.parse_decimal(text, language)
        if decimal is None:
            example = format_decimal(Decimal("3.5"), locale=babel_locale(language))
            return Invalid(tr(texts.INVALID_DECIMAL, example=example))
        return Parsed(decimal)
    if kind is QuestionType.DATE:
        day = replies.parse_date(text, language, today, commands.relative_days(tr))
        if day is None:
            return Invalid(tr(texts.INVALID_DATE, example=render.date_example(language)))
        return Parsed(day)
    raise AssertionError(f"a {kind} question takes no answer")


THUMBS = {"👍": True, "👎": False}


def thumb_code(question: Question, text: str) -> int | None:
    """👍 or 👎 on a rating (a choice question with a `measure`): the milder choice on the
    satisfied or dissatisfied side, e.g. "Fairly satisfied" and "Fairly dissatisfied".

    The answered choices (not "don't know") run from one end of the scale to the other; the
    measure's positive codes sit at one end, and 👎 is the mirror of 👍 at the other end.
    """
    up = THUMBS.get(replies.normalise(text))
    if up is None or question.measure is None or question.choices is None:
        return None
    codes = [c.code for c in question.choices.choices if c.missing is None]
    positive = [index for index, code in enumerate(codes) if code in question.measure.positive]
    if not positive or len(positive) * 2 >= len(codes):
        return None
    at_start = positive[0] == 0
    mild = positive[-1] if at_start else positive[0]
    return codes[mild] if up else codes[len(codes) - 1 - mild]


def encode(value: object) -> object:
    """An answer as JSON: dates as ISO text, decimals as text, the rest as is."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def decode(question: Question, value: object) -> object:
    if value is None:
        return None
    if question.type is QuestionType.DATE and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if question.type is QuestionType.DECIMAL and isinstance(value, str | int | float):
        return Decimal(str(value))
    return value
