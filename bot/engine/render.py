"""Turn a question into what a tenant reads: text with piped answers, hints and options.

Channels decide the look (SMS numbers the options; Telegram and web chat show buttons), but
the words come from here so every channel says the same thing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n import texts
from bot.i18n.languages import babel_locale
from bot.i18n.translate import Translator, translator
from bot.questionnaire.fields import PLACEHOLDER
from bot.questionnaire.model import Choice, LocalText, Question, Questionnaire, QuestionType
from bot.settings import Settings

PIPED_PLACEHOLDER_LENGTH = 12  # what the validator assumes a piped answer costs in an SMS


@dataclass(frozen=True)
class Button:
    reply: str  # the text the tenant's tap sends back, e.g. "2"
    label: str
    command: bool = False  # Skip or Back: shown apart from the answers, never numbered
    emoji: str = ""  # shown before the words where the tenant taps; never on SMS
    image: str = ""  # "<questionnaire id>/<file>", a picture the web chat serves

    def stored(self) -> list[str]:
        """The button as the outbox keeps it: reply, label, then "command" or "", then
        the emoji and picture when there are any."""
        kind = ["command"] if self.command else []
        if self.emoji or self.image:
            return [self.reply, self.label, kind[0] if kind else "", self.emoji, self.image]
        return [self.reply, self.label, *kind]

    @classmethod
    def from_stored(cls, item: list[str]) -> Button:
        extra = [str(part) for part in item[3:5]] + ["", ""]
        command = len(item) > 2 and item[2] == "command"
        return cls(str(item[0]), str(item[1]), command, emoji=extra[0], image=extra[1])

    @property
    def numbered(self) -> bool:
        """An option answered by its number, which SMS and Telegram show before the label."""
        return not self.command and self.reply.isdigit() and self.reply != self.label


@dataclass(frozen=True)
class Prompt:
    text: str
    buttons: tuple[Button, ...] = ()
    multiple: bool = False

    def numbered(self) -> str:
        """The SMS form: the text, then one numbered option per line."""
        options = [button for button in self.buttons if not button.command]
        lines = [self.text] + [f"{button.reply} {button.label}" for button in options]
        return "\n".join(lines)


def date_example(language: str) -> str:
    """31 March 2025 written the short way people write dates in this language, which is
    also a way the date parser reads (day first: 31/03/2025 in British English)."""
    return format_date(datetime.date(2025, 3, 31), format="short", locale=babel_locale(language))


def display_value(question: Question | None, value: object, language: str, tr: Translator) -> str:
    """An answer as a tenant would read it, in their language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr(texts.BUTTON_YES) if value else tr(texts.BUTTON_NO)
    if question is not None and question.choices is not None:
        codes = value if isinstance(value, list) else [value]
        labels = [
            choice.label.get(language)
            for code in codes
            if isinstance(code, int) and (choice := question.choices.by_code(code)) is not None
        ]
        return ", ".join(labels)
    if isinstance(value, datetime.date):
        return format_date(value, format="long", locale=babel_locale(language))
    if isinstance(value, int | Decimal | float):
        return format_decimal(value, locale=babel_locale(language))
    return str(value)


def pipe(
    text: str,
    questionnaire: Questionnaire | None,
    answers: Mapping[str, object],
    language: str,
    landlord: str,
    tr: Translator,
) -> str:
    def replace(match: object) -> str:
        name = match.group(1)  # type: ignore[attr-defined]
        if name == "landlord":
            return landlord
        if name not in answers:
            return "." * PIPED_PLACEHOLDER_LENGTH if questionnaire is None else ""
        question = questionnaire.question(name) if questionnaire else None
        return display_value(question, answers[name], language, tr)

    return PLACEHOLDER.sub(replace, text)


def _local(text: LocalText | None, language: str) -> str:
    return text.get(language) if text else ""


def question_prompt(
    question: Question,
    language: str,
    *,
    questionnaire: Questionnaire | None,
    answers: Mapping[str, object],
    landlord: str,
    tr: Translator,
    progress: tuple[int, int] | None = None,
    can_go_back: bool = False,
    easy_read: bool = False,
) -> Prompt:
    """The question's words (easy-read ones when asked for), its answer buttons and, where
    the tenant taps, its progress ("Question 2 of 5") and Skip / Change-my-last-answer."""
    parts = []
    if progress is not None and tr.taps and question.answerable:
        parts.append(tr(texts.PROGRESS, number=progress[0], total=progress[1]))
    words = question.wording(easy_read=easy_read).get(language)
    parts += [pipe(words, questionnaire, answers, language, landlord, tr)]
    if question.hint:
        parts.append(
            pipe(question.hint.get(language), questionnaire, answers, language, landlord, tr)
        )
    buttons: tuple[Button, ...] = ()
    if question.choices is not None:
        many = question.type is QuestionType.SELECT_MULTIPLE
        parts.append(tr(texts.REPLY_WITH_NUMBERS if many else texts.REPLY_WITH_NUMBER))
        buttons = tuple(
            _choice_button(position, choice, language, questionnaire, tr.taps)
            for position, choice in enumerate(question.choices.choices, start=1)
        )
    elif question.type is QuestionType.YES_NO:
        if not tr.taps:  # two buttons say it where the tenant taps
            parts.append(tr(texts.REPLY_YES_NO))
        buttons = (
            Button(tr(texts.BUTTON_YES), tr(texts.BUTTON_YES)),
            Button(tr(texts.BUTTON_NO), tr(texts.BUTTON_NO)),
        )
    elif question.type is QuestionType.SCALE and question.scale is not None:
        scale = question.scale
        parts.append(
            tr(
                texts.REPLY_SCALE,
                low=scale.minimum,
                high=scale.maximum,
                low_label=_local(scale.min_label, language),
                high_label=_local(scale.max_label, language),
            )
        )
        buttons = tuple(
            Button(str(value), str(value)) for value in range(scale.minimum, scale.maximum + 1)
        )
    elif question.type is QuestionType.DATE:
        parts.append(tr(texts.REPLY_DATE, example=date_example(language)))
    if question.answerable and not question.required:
        parts.append(tr(texts.OPTIONAL_HINT))
    return Prompt(
        "\n".join(part for part in parts if part),
        buttons + _commands(question, tr, can_go_back),
        multiple=question.type is QuestionType.SELECT_MULTIPLE,
    )


def _choice_button(
    position: int, choice: Choice, language: str, questionnaire: Questionnaire | None, taps: bool
) -> Button:
    """An option: on SMS its label; where the tenant taps, its picture (or emoji) and the
    words that stand for the picture."""
    picture = choice.picture
    if picture is None or not taps:
        return Button(str(position), choice.label.get(language))
    image = ""
    if picture.image is not None and questionnaire is not None:
        image = f"{questionnaire.id}/{picture.image}"
    return Button(str(position), picture.alt.get(language), emoji=picture.emoji or "", image=image)


def _commands(question: Question, tr: Translator, can_go_back: bool) -> tuple[Button, ...]:
    """Skip and Change-my-last-answer as buttons where the tenant taps (English command
    words work in every language, so the tap sends those)."""
    if not tr.taps or not question.answerable:
        return ()
    commands = []
    if not question.required:
        commands.append(Button("skip", tr(texts.BUTTON_SKIP), command=True))
    if can_go_back:
        commands.append(Button("back", tr(texts.BUTTON_BACK), command=True))
    return tuple(commands)


def sms_prompt(question: Question, language: str, landlord: str, *, easy_read: bool = False) -> str:
    """The SMS text of a question as the validator prices it (piped answers estimated); in
    an easy-read questionnaire, the easy-read wording that is sent."""
    prompt = question_prompt(
        question,
        language,
        questionnaire=None,
        answers={},
        landlord=landlord,
        tr=translator(language),
        easy_read=easy_read,
    )
    if question.type is QuestionType.YES_NO:
        return prompt.text
    return prompt.numbered()


def opening_text(questionnaire: Questionnaire, settings: Settings, language: str) -> str:
    """The consent request a conversation opens with: what an SMS invitation costs to send."""
    # Imported here: the turn modules import this one.
    from bot.engine.turn.consent import consent_in

    return consent_in(questionnaire, settings, language)
