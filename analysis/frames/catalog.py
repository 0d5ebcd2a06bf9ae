"""Question and choice labels for the exact questionnaire versions that answers point at.

Labels come from the stored YAML of each version (not from today's files), so an answer is
always labelled with the wording the tenant was asked.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from bot.questionnaire.compiler import compile_text
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.tables import VERSIONS

logger = logging.getLogger(__name__)
# Compiling YAML is slow; stored versions never change, so each is compiled once a process.
_COMPILED: dict[str, Questionnaire | None] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Catalog:
    """Every stored version's questions and choices as small frames, for vectorised joins."""

    versions: pd.DataFrame  # version_id, questionnaire_id, version
    questions: pd.DataFrame  # version_id, question, position, question_type, question_label
    choices: pd.DataFrame  # version_id, question, code, choice, choice_label, position
    questionnaires: dict[int, Questionnaire]

    def profile_choices(self, attribute: str) -> dict[int, str]:
        """code -> choice name for a profile attribute, from any questionnaire linking it.

        The shipped questionnaires share their choice lists for shared attributes, so one
        mapping serves every source; the newest version wins if they ever disagree.
        """
        mapping: dict[int, str] = {}
        for version_id in sorted(self.questionnaires):
            for question in self.questionnaires[version_id].questions:
                if question.profile is None or question.profile.attribute != attribute:
                    continue
                if question.choices is not None:
                    mapping.update({c.code: c.name for c in question.choices.choices})
        return mapping


def load_catalog(
    connection: Connection,
    *,
    registry: QuestionnaireRegistry | None = None,
    language: str | None = None,
    version_ids: Iterable[int] | None = None,
) -> Catalog:
    """Compile every stored questionnaire version (or those given) into label frames.

    `language` picks the label language; each questionnaire's default language otherwise.
    """
    query = select(
        VERSIONS.c.id, VERSIONS.c.questionnaire_id, VERSIONS.c.version, VERSIONS.c.source
    ).order_by(VERSIONS.c.id)
    if version_ids is not None:
        query = query.where(VERSIONS.c.id.in_(sorted(set(version_ids))))
    rows = connection.execute(query).all()
    questionnaires: dict[int, Questionnaire] = {}
    for row in rows:
        compiled = _compile(connection, registry, row.id, row.source, row.questionnaire_id)
        if compiled is not None:
            questionnaires[row.id] = compiled
    versions = pd.DataFrame(
        [(row.id, row.questionnaire_id, row.version) for row in rows],
        columns=["version_id", "questionnaire_id", "version"],
    )
    question_rows: list[tuple[object, ...]] = []
    choice_rows: list[tuple[object, ...]] = []
    for version_id, q in questionnaires.items():
        wanted = language or q.default_language
        for position, question in enumerate(q.questions):
            question_rows.append(
                (version_id, question.name, position, question.type.value,
                 question.text.get(wanted))
            )  # fmt: skip
            if question.choices is None:
                continue
            for order, choice in enumerate(question.choices.choices):
                choice_rows.append(
                    (version_id, question.name, choice.code, choice.name,
                     choice.label.get(wanted), order)
                )  # fmt: skip
    questions = pd.DataFrame(
        question_rows,
        columns=["version_id", "question", "position", "question_type", "question_label"],
    )
    choices = pd.DataFrame(
        choice_rows,
        columns=["version_id", "question", "code", "choice", "choice_label", "position"],
    )
    return Catalog(versions, questions, choices, questionnaires)


def _compile(
    connection: Connection,
    registry: QuestionnaireRegistry | None,
    version_id: int,
    source: str,
    questionnaire_id: str,
) -> Questionnaire | None:
    if registry is not None:
        try:
            return registry.by_version_id(connection, version_id)
        except Exception:
            logger.warning("stored questionnaire version %s does not compile", version_id)
            return None
    key = hashlib.sha256(source.encode()).hexdigest()
    with _LOCK:
        if key in _COMPILED:
            return _COMPILED[key]
    result = compile_text(source, f"<stored {questionnaire_id} #{version_id}>")
    if result.questionnaire is None:
        logger.warning("stored questionnaire version %s does not compile", version_id)
    with _LOCK:
        _COMPILED[key] = result.questionnaire
    return result.questionnaire


_PIPE = re.compile(r"\$\{(\w+)\}")


def filled(text: str, landlord: str) -> str:
    """Question wording as a reader sees it: ${landlord} is the landlord's name; a pipe to
    an earlier answer (${name}) reads "[their answer]", as no single answer fits a label."""
    return _PIPE.sub(lambda m: landlord if m.group(1) == "landlord" else "[their answer]", text)
