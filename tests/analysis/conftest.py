"""Fixtures for the analysis tests: demo data through the engine's own tables."""

from __future__ import annotations

import pytest

from analysis.demo.data import DemoSummary, create_demo_data
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings
from bot.storage.db import Database
from tests.support.demo import DATA_SEED, Demo


@pytest.fixture
def registry(settings: Settings) -> QuestionnaireRegistry:
    return QuestionnaireRegistry.from_directory(settings.questionnaires_dir, settings.landlord_name)


@pytest.fixture
def demo(database: Database, registry: QuestionnaireRegistry) -> Demo:
    """demo(tenants, rounds=10, seed=DATA_SEED): make sure that much demo data exists."""

    def make(tenants: int, rounds: int = 10, seed: int = DATA_SEED) -> DemoSummary:
        return create_demo_data(database, registry, tenants=tenants, rounds=rounds, seed=seed)

    return make
