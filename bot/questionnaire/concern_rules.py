"""Reading a question's concern rule: the answers and words that open a case for an officer."""

from __future__ import annotations

from bot.concerns.models import Category, Severity
from bot.questionnaire.fields import FieldReader, Reporter
from bot.questionnaire.located import LocatedMap
from bot.questionnaire.model import ChoiceList, ConcernRule, QuestionType

CATEGORIES = tuple(category.value for category in Category)
SEVERITIES = tuple(severity.value for severity in Severity)


def read_keywords(
    owner: LocatedMap, key: str, reporter: Reporter, context: str, languages: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """`{en: [damp, mould], cy: [lleithder]}`: words or phrases per language."""
    block = owner.get(key)
    if block is None:
        return {}
    if not isinstance(block, LocatedMap):
        reporter.error(
            owner.value_at(key),
            context,
            f"'{key}' must list words per language",
            f"write {key}: {{en: [damp, mould, gas smell]}}",
        )
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for language, words in block.items():
        if language not in languages:
            reporter.error(
                block.key_at(language),
                context,
                f"{key} in '{language}', which is not in languages",
                f"add {language} to languages or remove these words",
            )
            continue
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            reporter.error(
                block.value_at(language),
                context,
                f"{key} must be a list of words or phrases",
                f"write {language}: [damp, gas smell]",
            )
            continue
        result[language] = tuple(words)
    return result


def read_concern_rule(
    reader: FieldReader,
    reporter: Reporter,
    languages: tuple[str, ...],
    choices: ChoiceList | None,
    qtype: QuestionType | None,
) -> ConcernRule | None:
    """A question's `concern:` block: the answers that open a case, and which case."""
    block = reader.mapping_at(
        "concern",
        required=False,
        example="concern: {values: [4, 5]} or {keywords: {en: [damp]}}",
    )
    if block is None:
        return None
    sub = FieldReader(block, reporter, reader.context)
    sub.check_keys(("values", "keywords", "category", "severity"), "concern")
    values = block.get("values") or []
    if not isinstance(values, list):
        reporter.error(
            sub.at("values"),
            reader.context,
            "concern values must be a list",
            "write values: [4, 5] (choice codes) or values: [false] (yes/no)",
        )
        values = []
    codes = {choice.code for choice in choices.choices} if choices else None
    for value in values:
        if codes is not None and value not in codes:
            reporter.error(
                sub.at("values"),
                reader.context,
                f"concern value {value!r} is not a choice code",
                f"use codes from the list: {sorted(codes)}",
            )
    keywords = read_keywords(block, "keywords", reporter, reader.context, languages)
    if keywords and qtype is not QuestionType.TEXT:
        reporter.error(
            sub.at("keywords"),
            reader.context,
            "concern keywords only work on text answers",
            "use values: [...] for this question, or put keywords on a text question",
        )
    kinds = {"category": "complaint", "severity": "other"}  # the case it opens, by default
    for key, allowed in (("category", CATEGORIES), ("severity", SEVERITIES)):
        value = block.get(key)
        if value is not None and value not in allowed:
            reporter.error(sub.at(key), reader.context,
                                f"concern {key} {value!r} is not known",
                                f"use one of: {', '.join(allowed)}")  # fmt: skip
        elif value is not None:
            kinds[key] = str(value)
    return ConcernRule(tuple(values), keywords, kinds["category"], kinds["severity"])
