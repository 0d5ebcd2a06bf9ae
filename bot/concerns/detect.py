"""Spotting answers that raise a concern, as the questionnaire defines them."""

from __future__ import annotations

import unicodedata

from bot.i18n.folding import normalise
from bot.questionnaire.model import Question, Questionnaire


def _spaceless(text: str) -> bool:
    """Scripts written without spaces between words (Chinese): match inside the text."""
    return any(unicodedata.name(char, "").startswith("CJK") for char in text)


def matched_keywords(text: str, keywords: tuple[str, ...]) -> list[str]:
    folded = f" {normalise(text)} "
    found = []
    for keyword in keywords:
        wanted = normalise(keyword)
        if not wanted:
            continue
        if (wanted in folded) if _spaceless(wanted) else (f" {wanted} " in folded):
            found.append(keyword)
    return found


def concern_reasons(
    questionnaire: Questionnaire, question: Question, value: object, language: str
) -> list[str]:
    """Why this answer needs an officer, if it does: the value, or the words that matched.

    Keywords of the tenant's language and of the questionnaire's default language both count,
    since tenants often mix languages.
    """
    reasons: list[str] = []
    rule = question.concern
    if rule is not None and rule.values and value is not None:
        chosen = value if isinstance(value, list) else [value]
        hits = [item for item in chosen if item in rule.values]
        if hits:
            labels = []
            for item in hits:
                label = str(item)
                if isinstance(item, int) and question.choices is not None:
                    choice = question.choices.by_code(item)
                    if choice is not None:
                        label = choice.label.get(questionnaire.default_language)
                labels.append(label)
            reasons.append(f"answer: {', '.join(labels)}")
    if isinstance(value, str):
        words: list[str] = []
        for source in (rule.keywords if rule else {}, questionnaire.concern_keywords):
            for code in dict.fromkeys((language, questionnaire.default_language)):
                words.extend(matched_keywords(value, source.get(code, ())))
        if words:
            reasons.append(f"words: {', '.join(dict.fromkeys(words))}")
    return reasons
