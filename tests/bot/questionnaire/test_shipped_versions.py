"""A shipped questionnaire whose text changes must get a new version.

A landlord's database keeps each version's text hash; a questionnaire changed under the
same version stops with "QuestionnaireChanged" there on the first conversation after the
upgrade. `shipped_versions.json` records the hash each shipped version was released with.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings

RECORD = Path(__file__).with_name("shipped_versions.json")


def test_every_shipped_questionnaire_text_matches_the_version_it_was_released_as() -> None:
    record: dict[str, str] = json.loads(RECORD.read_text(encoding="utf-8"))
    registry = QuestionnaireRegistry.from_directory(Settings().questionnaires_dir, "Landlord")
    problems = []
    for questionnaire in registry.all():
        key = f"{questionnaire.id} {questionnaire.version}"
        released = record.get(key)
        if released is None:
            problems.append(
                f"{questionnaire.id} version {questionnaire.version} is new: add "
                f'"{key}": "{questionnaire.source_hash}" to {RECORD.name}'
            )
        elif released != questionnaire.source_hash:
            problems.append(
                f"{questionnaire.id} changed but is still version {questionnaire.version}: "
                "raise its `version:` (databases that ran this version keep its old text)"
            )
    assert not problems, "\n".join(problems)
