"""The questionnaire as the engine sees it: immutable, validated, language-aware."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from bot.questionnaire.expressions import Expression


class QuestionType(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    SCALE = "scale"
    YES_NO = "yes_no"
    NOTE = "note"

    @property
    def has_choices(self) -> bool:
        return self in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)


class TranslationStatus(enum.StrEnum):
    REVIEWED = "reviewed"
    DRAFT = "draft"


SENSITIVE_CATEGORIES = ("ethnicity", "religion", "health", "sexual_orientation", "other")
MISSING_KINDS = ("dont_know", "not_applicable", "prefer_not_to_say")


@dataclass(frozen=True)
class LocalText:
    """Text in several languages; `get` falls back to the questionnaire's default language."""

    texts: Mapping[str, str]
    default_language: str

    def get(self, language: str) -> str:
        if language in self.texts:
            return self.texts[language]
        return self.texts.get(self.default_language, next(iter(self.texts.values()), ""))

    def filled(self, language: str, landlord: str) -> str:
        """`get`, with the landlord's name where the wording says `${landlord}`."""
        return self.get(language).replace("${landlord}", landlord)

    def __bool__(self) -> bool:
        return bool(self.texts)


@dataclass(frozen=True)
class Picture:
    """A picture or emoji beside a choice, and the words that stand for it (`alt`).

    Where the tenant taps (web chat, Telegram) the choice reads as the picture and its
    alt words; SMS sends the choice's label only.
    """

    alt: LocalText
    image: str | None = None  # a file beside the questionnaire, e.g. images/fixed.svg
    emoji: str | None = None


@dataclass(frozen=True)
class Choice:
    code: int
    name: str
    label: LocalText
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing: str | None = None
    picture: Picture | None = None


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    def by_code(self, code: int) -> Choice | None:
        return next((choice for choice in self.choices if choice.code == code), None)

    @cached_property
    def codes_by_name(self) -> dict[str, int]:
        return {choice.name: choice.code for choice in self.choices}

    @cached_property
    def numbers_by_code(self) -> dict[int, int]:
        """The number shown before each choice in a text message (1 for the first)."""
        return {choice.code: number for number, choice in enumerate(self.choices, start=1)}


@dataclass(frozen=True)
class Constraint:
    rule: Expression
    message: LocalText


@dataclass(frozen=True)
class Scale:
    minimum: int
    maximum: int
    min_label: LocalText
    max_label: LocalText


@dataclass(frozen=True)
class Sensitive:
    category: str
    why: LocalText


@dataclass(frozen=True)
class ProfileLink:
    attribute: str
    fresh_days: int | None


@dataclass(frozen=True)
class Measure:
    code: str
    positive: tuple[int, ...]


@dataclass(frozen=True)
class ConcernRule:
    """Answers that need an officer's attention: given codes, or words in free text."""

    values: tuple[object, ...] = ()
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The case it opens (see bot.concerns.models.Category and Severity); officers may change it.
    category: str = "complaint"
    severity: str = "other"


@dataclass(frozen=True)
class Question:
    name: str
    type: QuestionType
    text: LocalText
    hint: LocalText | None = None
    choices: ChoiceList | None = None
    required: bool = False
    relevant: Expression | None = None
    constraints: tuple[Constraint, ...] = ()
    scale: Scale | None = None
    sensitive: Sensitive | None = None
    profile: ProfileLink | None = None
    measure: Measure | None = None
    concern: ConcernRule | None = None
    easy_read: LocalText | None = None  # short sentences, one idea each

    def wording(self, *, easy_read: bool) -> LocalText:
        """The question's words: the easy-read ones when asked for and written."""
        return self.easy_read if easy_read and self.easy_read else self.text

    @property
    def answerable(self) -> bool:
        return self.type is not QuestionType.NOTE


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: LocalText
    default_language: str
    languages: Mapping[str, TranslationStatus]
    purpose_code: str
    purpose: LocalText
    consent_version: str
    consent: LocalText
    retention_days: int
    estimated_minutes: int
    expiry_days: int
    questions: tuple[Question, ...]
    choice_lists: Mapping[str, ChoiceList]
    keywords: tuple[str, ...] = ()
    channels: tuple[str, ...] = ("sms", "whatsapp", "telegram", "webchat")
    sms_max_segments: Mapping[str, int] = field(default_factory=dict)  # per language
    anonymous: bool = False
    # Words in any free-text answer that raise a concern (damp, gas smell, "I need help").
    concern_keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    intro: LocalText | None = None
    outro: LocalText | None = None
    easy_read: bool = False  # every tenant reads the questions' easy-read wording
    # The folder the pictures were checked in (empty when compiled from text alone) and the
    # picture files found there: the only files the web chat serves for this questionnaire.
    picture_folder: str = ""
    pictures: frozenset[str] = frozenset()
    source_path: str = ""
    source_hash: str = ""

    @cached_property
    def index(self) -> dict[str, int]:
        return {question.name: position for position, question in enumerate(self.questions)}

    def question(self, name: str) -> Question:
        return self.questions[self.index[name]]

    def sms_budget(self, language: str) -> int:
        """SMS segments a prompt may cost in this language before the validator warns."""
        return self.sms_max_segments.get(language, self.sms_max_segments.get("default", 2))

    def language_for(self, wanted: str | None) -> str:
        """The language to talk in: the wanted one when this questionnaire has it."""
        if wanted and wanted in self.languages:
            return wanted
        return self.default_language

    @cached_property
    def choice_names(self) -> dict[str, dict[str, int]]:
        """question name -> {choice name -> code}, for `selected(${q}, 'name')`."""
        return {
            question.name: dict(question.choices.codes_by_name)
            for question in self.questions
            if question.choices is not None
        }
