"""Profile values in their one stored form: choice names, never a questionnaire's codes.

A question linked to a profile attribute answers with choice codes (`2`, `[1, 3]`), which
mean something only inside that questionnaire; the profile keeps the choice's stable name
(`"telegram"`, `["morning", "evening"]`), the same form an import or an officer stores.
Other answer types (numbers, yes/no, text) are stored as they are.
"""

from __future__ import annotations

from bot.questionnaire.model import Question, QuestionType


def to_profile(question: Question, encoded: object) -> object:
    """An encoded answer as the profile stores it (codes become choice names)."""
    if question.choices is None or encoded is None:
        return encoded
    names = {choice.code: choice.name for choice in question.choices.choices}
    if question.type is QuestionType.SELECT_MULTIPLE and isinstance(encoded, list):
        return [names.get(code, code) for code in encoded]
    if isinstance(encoded, int) and not isinstance(encoded, bool):
        return names.get(encoded, encoded)
    return encoded


def from_profile(question: Question, stored: object) -> object | None:
    """A stored profile value as this question's answer; None when it has no such choice.

    Names are looked up in the question's choice list (case-insensitively); a value kept
    as a code by an older version is taken as that code when the list has it.
    """
    if question.choices is None or stored is None:
        return stored
    by_name = {name.casefold(): code for name, code in question.choices.codes_by_name.items()}
    codes = set(by_name.values())

    def code_of(item: object) -> int | None:
        if isinstance(item, str):
            return by_name.get(item.strip().casefold())
        if isinstance(item, int) and not isinstance(item, bool) and item in codes:
            return item
        return None

    if question.type is QuestionType.SELECT_MULTIPLE:
        items = stored if isinstance(stored, list) else [stored]
        found = [code_of(item) for item in items]
        if not found or any(code is None for code in found):
            return None
        return found
    if isinstance(stored, list):
        return None
    return code_of(stored)
