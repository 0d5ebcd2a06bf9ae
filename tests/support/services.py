"""Shared test support."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures"


@dataclass
class Clock:
    now: datetime.datetime

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += datetime.timedelta(**delta)


def make_registry(settings: Settings, *extra: Path) -> QuestionnaireRegistry:
    registry = QuestionnaireRegistry.from_directory(
        settings.questionnaires_dir, settings.landlord_name
    )
    for path in extra:
        registry.add_text(path.read_text(encoding="utf-8"), str(path))
    return registry
