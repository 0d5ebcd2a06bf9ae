"""The profile attributes an audience can filter on, with their value names, from the loaded
questionnaires (a question with `profile: {attribute: …}` and a choice list).

Officers write value names as they read them ("Letter", "Shared ownership"); `wanted_values`
adds each matching choice's stored name and the snake-case form imports store, so a filter
matches however the value was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class AttributeValue:
    name: str  # as stored
    label: str  # as officers read it (English)


def profile_attributes(questionnaires: Iterable[Questionnaire]) -> dict[str, list[AttributeValue]]:
    """attribute -> its value names, sorted by attribute; the first questionnaire's list wins."""
    found: dict[str, list[AttributeValue]] = {}
    for questionnaire in questionnaires:
        for question in questionnaire.questions:
            if question.profile is None or question.profile.attribute in found:
                continue
            choices = question.choices.choices if question.choices else ()
            found[question.profile.attribute] = [
                AttributeValue(choice.name, choice.label.get("en") or choice.name)
                for choice in choices
            ]
    return dict(sorted(found.items()))


def wanted_values(values: list[AttributeValue], typed: Iterable[str]) -> list[str]:
    """What the officer typed, plus the stored name of every value whose label it matches."""
    wanted: list[str] = []
    for text in typed:
        wanted.append(text)
        folded = text.strip().casefold()
        # Imported values are stored as snake-case names ("Low cost rental" -> low_cost_rental).
        wanted.append("_".join(folded.replace("-", " ").split()))
        for value in values:
            if folded in (value.label.casefold(), value.name.casefold()) and value.name != text:
                wanted.append(value.name)
    unique: dict[str, str] = {}
    for item in wanted:  # matching ignores case, so one spelling of each is enough
        unique.setdefault(item.casefold(), item)
    return list(unique.values())
