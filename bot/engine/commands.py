"""Commands a tenant can send at any point (STOP, HELP, BACK, SKIP, LANGUAGE, START).

A command is a whole reply that matches one of the command's words in the tenant's language
or in English, so "back" works for everyone and "nôl" works for Welsh speakers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from functools import lru_cache

from bot.engine.replies import ENGLISH, Vocabulary, merge, normalise, parse_yes_no
from bot.i18n import texts
from bot.i18n.languages import LANGUAGES
from bot.i18n.translate import Translator, translator


class Command(enum.Enum):
    STOP = texts.STOP_WORDS
    HELP = texts.HELP_WORDS
    BACK = texts.BACK_WORDS
    SKIP = texts.SKIP_WORDS
    LANGUAGE = texts.LANGUAGE_WORDS
    START = texts.START_WORDS


@lru_cache(maxsize=32)
def _command_words(language: str) -> dict[str, Command]:
    local, english = translator(language), translator("en")
    words: dict[str, Command] = {}
    for command in Command:
        for word in english.words(command.value) | local.words(command.value):
            words.setdefault(word, command)
    return words


@lru_cache(maxsize=32)
def _vocabulary(language: str) -> Vocabulary:
    tr = translator(language)
    local = Vocabulary(
        yes=tr.words(texts.YES_WORDS),
        no=tr.words(texts.NO_WORDS),
        conjunctions=tr.words(texts.AND_WORDS),
        numbers=tuple(number_words(tr).items()),
    )
    return merge(local, ENGLISH)


def number_words(tr: Translator) -> dict[str, int]:
    """ "two" -> 2 from the catalog's list of the numbers one to ten ("dwa/dwie" are both 2)."""
    words: dict[str, int] = {}
    for position, part in enumerate(tr(texts.NUMBER_WORDS).split(","), start=1):
        for form in part.split("/"):
            word = normalise(form)
            if word:
                words.setdefault(word, position)
    return words


@lru_cache(maxsize=32)
def _relative_days(language: str) -> dict[str, int]:
    days: dict[str, int] = {}
    for tr in (translator(language), translator("en")):
        for message, offset in (
            (texts.TODAY_WORDS, 0),
            (texts.TOMORROW_WORDS, 1),
            (texts.YESTERDAY_WORDS, -1),
        ):
            for word in tr.words(message):
                days.setdefault(word, offset)
    return days


def relative_days(tr: Translator) -> Mapping[str, int]:
    """Words for today, tomorrow and yesterday in this language and English -> days from today."""
    return _relative_days(tr.language)


def vocabulary(tr: Translator) -> Vocabulary:
    return _vocabulary(tr.language)


def detect(text: str, tr: Translator) -> Command | None:
    return _command_words(tr.language).get(normalise(text))


@lru_cache(maxsize=8)
def _words_in_every_language(among: tuple[Command, ...]) -> dict[str, Command]:
    words: dict[str, Command] = {}
    for language in LANGUAGES:
        tr = translator(language)
        for command in among:
            for word in tr.words(command.value):
                words.setdefault(word, command)
    return words


@lru_cache(maxsize=8)
def _languages_of_words(among: tuple[Command, ...]) -> dict[str, tuple[Command, str]]:
    words: dict[str, tuple[Command, str]] = {}
    for language in LANGUAGES:  # English first: a word every catalog keeps is English
        tr = translator(language)
        for command in among:
            for word in tr.words(command.value):
                words.setdefault(word, (command, tr.language))
    return words


def keyword_and_language(text: str, among: tuple[Command, ...]) -> tuple[Command, str] | None:
    """One of these commands written in any supported language, and that language
    ("DIWEDD" is STOP in Welsh), so that the answer can be in the same language."""
    return _languages_of_words(among).get(normalise(text))


def detect_in_any_language(text: str, among: tuple[Command, ...]) -> Command | None:
    """One of these commands, written in any supported language (an SMS keyword sent to us
    before any conversation, or in another language than the conversation's)."""
    return _words_in_every_language(among).get(normalise(text))


def is_word_of(text: str, among: Iterable[Command], language: str) -> bool:
    """Whether the whole reply is a word of one of these commands in that language."""
    word, tr = normalise(text), translator(language)
    return any(word in tr.words(command.value) for command in among)


def yes_or_no(text: str, tr: Translator) -> bool | None:
    return parse_yes_no(text, vocabulary(tr))


def yes_or_no_in(text: str, language: str) -> bool | None:
    """Yes or no in that language's own words only (English words count only for en)."""
    tr = translator(language)
    local = Vocabulary(
        yes=tr.words(texts.YES_WORDS),
        no=tr.words(texts.NO_WORDS),
        conjunctions=frozenset(),
    )
    return parse_yes_no(text, local)


def match_language(text: str, codes: list[str]) -> str | None:
    """A language picked from the menu: its number, code, own name or English name."""
    wanted = normalise(text)
    for position, code in enumerate(codes, start=1):
        language = LANGUAGES.get(code)
        names = {str(position), code}
        if language is not None:
            names |= {normalise(language.native_name), normalise(language.english_name)}
        if wanted in names:
            return code
    return None
