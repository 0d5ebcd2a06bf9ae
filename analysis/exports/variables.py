"""The variables of an SPSS-friendly export, worked out from the questionnaire versions.

One variable per answerable question (numeric codes for choices, 1/0 for yes/no), except
select_multiple, which becomes one 0/1 variable per choice named `question__choice`.
Labels come from the newest version asked; codes are stable across versions, so a code
only an older version had keeps that version's label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from analysis.frames.catalog import filled
from bot.questionnaire.model import Question, Questionnaire, QuestionType

Kind = Literal["numeric", "string", "datetime"]
Measure = Literal["nominal", "ordinal", "scale"]
FREE_TEXT = frozenset({QuestionType.TEXT, QuestionType.DATE})
MAX_NAME = 64  # SPSS variable names: 64 bytes, a letter first, letters, digits and _
SELECTED = {0: "Not selected", 1: "Selected"}
# Choice lists whose choices run in order (SPSS "Ordinal"). The questionnaire format has no
# field for this yet, so the shipped ordered lists are named here.
ORDERED_LISTS = frozenset({
    "satisfaction", "satisfaction_dk", "agreement", "agreement_dk", "contact_frequency",
    "online_confidence", "age_bands", "operative_conduct",
})  # fmt: skip
YES_NO = {1: "Yes", 0: "No"}


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: Kind
    measure: Measure
    values: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()  # codes SPSS should treat as missing (prefer not to say)
    question: str | None = None
    question_type: str | None = None
    choice: str | None = None  # for select_multiple indicators: the choice's name
    versions: tuple[str, ...] = ()
    skip_logic: str | None = None  # the `relevant` expression: when the question is asked
    languages: tuple[str, ...] = ()  # languages the question was asked in

    @property
    def spss_format(self) -> str:
        """F8.0 for codes and whole numbers (never "1.00"), F8.2 for decimals, A for text."""
        if self.kind == "datetime":
            return "DATETIME20"
        if self.kind == "string":
            return "A255"
        return "F8.2" if self.question_type == "decimal" else "F8.0"

    def as_json(self) -> dict[str, object]:
        return {
            "variable": self.name,
            "label": self.label,
            "type": self.kind,
            "measurement_level": self.measure,
            "values": {str(code): label for code, label in self.values.items()},
            "missing_values": list(self.missing),
            "source_question": self.question,
            "question_type": self.question_type,
            "choice": self.choice,
            "questionnaire_versions": list(self.versions),
            "skip_logic": self.skip_logic,
            "languages": list(self.languages),
            "spss_format": self.spss_format,
        }


def spss_name(text: str, taken: set[str]) -> str:
    """A valid, unused SPSS variable name close to `text`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", text) or "v"
    if not name[0].isalpha():
        name = "v_" + name
    name = name[:MAX_NAME]
    base, number = name, 1
    while name.lower() in taken:
        number += 1
        suffix = f"_{number}"
        name = base[: MAX_NAME - len(suffix)] + suffix
    taken.add(name.lower())
    return name


@dataclass
class _Merged:
    """One question across the versions that asked it: the newest wording wins."""

    question: Question
    language: str
    versions: list[str]
    labels: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    missing: set[int] = field(default_factory=set)


def merge_questions(
    questionnaires: list[Questionnaire], language: str | None
) -> dict[str, _Merged]:
    """Questions by name in questionnaire order, oldest version first, newest labels last."""
    merged: dict[str, _Merged] = {}
    for q in questionnaires:
        wanted = language or q.default_language
        for question in q.questions:
            if not question.answerable:
                continue
            entry = merged.get(question.name)
            if entry is None:
                entry = merged[question.name] = _Merged(question, wanted, [])
            entry.question, entry.language = question, wanted
            entry.versions.append(q.version)
            if question.choices is not None:
                for choice in question.choices.choices:
                    entry.labels[choice.code] = choice.label.get(wanted)
                    entry.names[choice.code] = choice.name
                    if choice.missing:
                        entry.missing.add(choice.code)
    # Newest order: questions the newest version has, in its order, then the retired ones.
    if questionnaires:
        newest = [q.name for q in questionnaires[-1].questions if q.name in merged]
        rest = [name for name in merged if name not in newest]
        merged = {name: merged[name] for name in newest + rest}
    return merged


def question_variables(
    merged: dict[str, _Merged], *, identifiable: bool, taken: set[str],
    landlord: str = "your landlord", languages: tuple[str, ...] = (),
) -> list[Variable]:  # fmt: skip
    """The variables for the questions; free text and dates only in identifiable exports.

    Labels read as the tenant saw them: ${landlord} is the landlord's name."""
    variables: list[Variable] = []
    for name, entry in merged.items():
        question, kind = entry.question, entry.question.type
        if kind in FREE_TEXT and not identifiable:
            continue
        label = filled(question.text.get(entry.language).strip(), landlord)
        entry.labels = {code: filled(text, landlord) for code, text in entry.labels.items()}
        versions = tuple(dict.fromkeys(entry.versions))
        source = {"question": name, "question_type": kind.value, "versions": versions,
                  "skip_logic": question.relevant.source if question.relevant else None,
                  "languages": languages}  # fmt: skip

        def add(
            variable: str, text: str, vkind: Kind, measure: Measure, values: dict[int, str],
            missing: tuple[int, ...] = (), choice: str | None = None,
            source: dict[str, Any] = source,
        ) -> None:  # fmt: skip
            name = spss_name(variable, taken)
            variables.append(
                Variable(name, text, vkind, measure, values, missing, choice=choice, **source)
            )

        if kind is QuestionType.SELECT_MULTIPLE:
            for code, choice in entry.names.items():
                add(f"{name}__{choice}", f"{label}: {entry.labels[code]}", "numeric",
                    "nominal", dict(SELECTED), choice=choice)  # fmt: skip
        elif kind is QuestionType.SELECT_ONE:
            ordered = question.measure is not None or (
                question.choices is not None and question.choices.name in ORDERED_LISTS
            )
            measure: Measure = "ordinal" if ordered else "nominal"
            add(name, label, "numeric", measure, dict(entry.labels), tuple(sorted(entry.missing)))
        elif kind is QuestionType.YES_NO:
            add(name, label, "numeric", "nominal", dict(YES_NO))
        elif kind is QuestionType.SCALE:
            scale, values = question.scale, {}
            if scale is not None:
                values = {scale.minimum: scale.min_label.get(entry.language),
                          scale.maximum: scale.max_label.get(entry.language)}  # fmt: skip
            add(name, label, "numeric", "ordinal", values)
        elif kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
            add(name, label, "numeric", "scale", {})
        else:
            add(name, label, "string", "nominal", {})
    return variables
