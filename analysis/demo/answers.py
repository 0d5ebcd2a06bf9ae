"""Answers a synthetic tenant gives: their planted traits for profile questions, plausible
values for the rest, always valid for the questionnaire (skip logic and constraints)."""

from __future__ import annotations

import datetime
import functools
import itertools
import random
from typing import Any

from analysis.demo.population import DemoTenant, draw_one
from bot.questionnaire.model import Question, Questionnaire, QuestionType

COMMENTS = (
    "All fine, thank you.",
    "The repair took a long time to arrange.",
    "Very helpful staff.",
    "Please call before you come.",
    "The communal lights are often broken.",
    "Happy with the service.",
)
OTHER_LANGUAGES = ("Tigrinya", "Kurdish", "Somali", "Farsi")
CHANNEL_CHOICE = {"sms": "sms", "telegram": "telegram", "webchat": "web_chat"}


def _codes(question: Question, names: tuple[str, ...]) -> list[int]:
    assert question.choices is not None
    by_name = question.choices.codes_by_name
    return [by_name[name] for name in names if name in by_name]


def trait_value(question: Question, tenant: DemoTenant) -> object | None:
    """The tenant's planted answer to a profile-linked question, or None if not a trait."""
    attribute = question.profile.attribute if question.profile else question.name
    single: dict[str, str] = {
        "preferred_channel": tenant.stated_channel,
        "language": tenant.language,
        "age_band": tenant.age_band,
    }
    if attribute in single and question.type is QuestionType.SELECT_ONE:
        codes = _codes(question, (single[attribute],))
        return codes[0] if codes else None
    multiple: dict[str, tuple[str, ...]] = {
        "preferred_times": tenant.stated_times,
        "communication_needs": tenant.needs or ("none",),
        "digital_access": tenant.digital or ("none",),
    }
    if attribute in multiple and question.type is QuestionType.SELECT_MULTIPLE:
        return _codes(question, multiple[attribute]) or None
    if question.name == "has_communication_need":
        return bool(tenant.needs)
    if question.name == "household_size":
        return tenant.household
    if question.name == "online_confidence" and question.choices is not None:
        names = question.choices.choices
        if not tenant.digital:
            return names[-1].code
        return names[0 if "computer_or_tablet" in tenant.digital else 1].code
    return None


@functools.cache
def _leaning_positive(count: int) -> tuple[float, ...]:
    """Most answers lean positive, as in real satisfaction surveys: the first choice weighs
    6, each next one 1.5 less, none under 1. Summed once per length, as `random.choices`
    would on every call (the same draws: it sums the weights the same way)."""
    weights = [max(1.0, 6.0 - 1.5 * position) for position in range(count)]
    return tuple(itertools.accumulate(weights))


def generic_value(question: Question, rng: random.Random, values: dict[str, object]) -> object:
    """A plausible answer to a question without a planted trait."""
    kind = question.type
    if kind is QuestionType.SELECT_ONE:
        assert question.choices is not None
        choices = question.choices.choices
        return draw_one(rng, choices, _leaning_positive(len(choices))).code
    if kind is QuestionType.SELECT_MULTIPLE:
        assert question.choices is not None
        options = [c for c in question.choices.choices if c.name != "none"]
        return sorted(c.code for c in rng.sample(options, k=min(len(options), rng.randint(1, 2))))
    if kind is QuestionType.YES_NO:
        return rng.random() < 0.7
    if kind is QuestionType.SCALE:
        assert question.scale is not None
        return rng.randint(question.scale.minimum, question.scale.maximum)
    if kind is QuestionType.INTEGER:
        if question.name == "children_under_16":
            size = values.get("household_size")
            return rng.randint(0, max(0, int(size) - 1)) if isinstance(size, int) else 0
        return rng.randint(1, 5)
    if kind is QuestionType.DECIMAL:
        return f"{rng.uniform(1, 10):.1f}"
    if kind is QuestionType.DATE:
        return (datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(300))).isoformat()
    if "language" in question.name:
        return rng.choice(OTHER_LANGUAGES)
    return rng.choice(COMMENTS)


def answer_for(
    question: Question, tenant: DemoTenant, rng: random.Random, values: dict[str, object]
) -> object:
    """The JSON-ready value; draws from `rng` the same way whatever the tenant's traits."""
    fallback = generic_value(question, rng, values)
    planted = trait_value(question, tenant)
    return planted if planted is not None else fallback


def is_valid(q: Questionnaire, question: Question, value: object, values: dict[str, Any]) -> bool:
    return all(
        constraint.rule.evaluate_bool(
            values, current=value, choice_names=q.choice_names, current_name=question.name
        )
        for constraint in question.constraints
    )


def is_relevant(q: Questionnaire, question: Question, values: dict[str, Any]) -> bool:
    if question.relevant is None:
        return True
    return question.relevant.evaluate_bool(values, choice_names=q.choice_names)


def raw_text(question: Question, value: object, channel: str, language: str) -> str:
    """What the tenant typed or tapped: option numbers by SMS, button labels in chat."""
    if question.choices is not None:
        chosen = value if isinstance(value, list) else [value]
        codes = [code for code in chosen if isinstance(code, int)]
        positions = question.choices.numbers_by_code
        if channel == "sms":
            return ", ".join(str(positions.get(code, code)) for code in codes)
        labels = [question.choices.by_code(code) for code in codes]
        return ", ".join(label.label.get(language) for label in labels if label is not None)
    if isinstance(value, bool):
        return ("Ie" if value else "Na") if language == "cy" else ("Yes" if value else "No")
    return str(value)
