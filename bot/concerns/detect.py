"""Spotting answers that open a case: the questionnaire's rules and the concern lexicons.

Three sources, each giving a category and a severity that an officer can later change:
- a question's `concern` rule (given answers: TP05 "very dissatisfied" is a safety case);
- the lexicon of the tenant's language, the questionnaire's default language and English
  (tenants often mix languages), over every free-text answer;
- the questionnaire's own keyword lists (whole words), classed by the lexicon when it knows
  the word, else a complaint.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.concerns.lexicon import category_of, find_in
from bot.concerns.models import Category, Severity
from bot.i18n.folding import normalise
from bot.questionnaire.model import Question, Questionnaire

# The severity a case starts with when words raised it; an officer decides in the end.
STARTING_SEVERITY = {
    Category.DAMP_MOULD: Severity.SIGNIFICANT,
    Category.SAFETY: Severity.EMERGENCY,
    Category.EMERGENCY: Severity.EMERGENCY,
    Category.WELFARE: Severity.OTHER,
    Category.COMPLAINT: Severity.OTHER,
}
ALWAYS = "en"  # English words count in every language


@dataclass(frozen=True)
class Finding:
    category: Category
    severity: Severity
    reason: str  # what matched ("words: damp, mould"), never the whole answer


def _spaceless(text: str) -> bool:
    """Scripts written without spaces between words (Chinese): match inside the text."""
    return any(unicodedata.name(char, "").startswith("CJK") for char in text)


@lru_cache(maxsize=512)
def _folded_keywords(keywords: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each keyword and what to look for in folded text: itself anywhere in scripts written
    without spaces, else as a whole word or phrase (folded once per keyword list)."""
    folded = ((keyword, normalise(keyword)) for keyword in keywords)
    return tuple(
        (keyword, wanted if _spaceless(wanted) else f" {wanted} ")
        for keyword, wanted in folded
        if wanted
    )


def matched_keywords(text: str, keywords: tuple[str, ...]) -> list[str]:
    """A questionnaire's own keywords: whole words or phrases ("gas" is not "gaslight")."""
    folded = f" {normalise(text)} "
    return [keyword for keyword, wanted in _folded_keywords(tuple(keywords)) if wanted in folded]


def _rule_finding(
    questionnaire: Questionnaire, question: Question, value: object
) -> Finding | None:
    rule = question.concern
    if rule is None or not rule.values or value is None:
        return None
    chosen = value if isinstance(value, list) else [value]
    hits = [item for item in chosen if item in rule.values]
    if not hits:
        return None
    labels = []
    for item in hits:
        label = str(item)
        if isinstance(item, int) and question.choices is not None:
            choice = question.choices.by_code(item)
            if choice is not None:
                label = choice.label.get(questionnaire.default_language)
        labels.append(label)
    return Finding(Category(rule.category), Severity(rule.severity), f"answer: {', '.join(labels)}")


def _word_findings(
    questionnaire: Questionnaire, question: Question, text: str, language: str
) -> list[Finding]:
    languages = tuple(dict.fromkeys((language, questionnaire.default_language, ALWAYS)))
    words: dict[Category, dict[str, None]] = {}
    found_texts: list[str] = []
    for hit in find_in(text, languages):
        words.setdefault(hit.entry.category, {})[hit.entry.text] = None
        found_texts.append(" ".join(hit.entry.stems))
    rule = question.concern
    for source in (rule.keywords if rule else {}, questionnaire.concern_keywords):
        for code in dict.fromkeys((language, questionnaire.default_language)):
            for keyword in matched_keywords(text, source.get(code, ())):
                if _covered(normalise(keyword), found_texts):
                    continue
                category = category_of(keyword, languages) or Category.COMPLAINT
                words.setdefault(category, {})[keyword] = None
    return [
        Finding(category, STARTING_SEVERITY[category], f"words: {', '.join(found)}")
        for category, found in sorted(words.items(), key=lambda item: list(Category).index(item[0]))
    ]


def _covered(keyword: str, found: list[str]) -> bool:
    """A questionnaire keyword the lexicon already found ("gas" within "gas smell")."""
    return any(
        keyword.startswith(stems) or f" {keyword} " in f" {stems} " or stems.startswith(keyword)
        for stems in found
    )


def find_cases(
    questionnaire: Questionnaire, question: Question, value: object, language: str
) -> list[Finding]:
    """The cases this answer opens: at most one per category."""
    findings = []
    by_rule = _rule_finding(questionnaire, question, value)
    if by_rule is not None:
        findings.append(by_rule)
    if isinstance(value, str):
        taken = {finding.category for finding in findings}
        findings += [
            found
            for found in _word_findings(questionnaire, question, value, language)
            if found.category not in taken
        ]
    return findings


def concern_reasons(
    questionnaire: Questionnaire, question: Question, value: object, language: str
) -> list[str]:
    """Why this answer needs an officer, if it does: the value, or the words that matched."""
    return [found.reason for found in find_cases(questionnaire, question, value, language)]
