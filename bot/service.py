"""Wiring: one place that builds the database, the questionnaires and the engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.engine.engine import Engine
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings, get_settings
from bot.storage.db import Database

logger = logging.getLogger(__name__)


@dataclass
class Service:
    settings: Settings
    database: Database
    registry: QuestionnaireRegistry
    engine: Engine


def build_service(settings: Settings | None = None, *, migrate: bool = True) -> Service:
    settings = settings or get_settings()
    database = Database(settings.database_url)
    if migrate:
        database.create_schema()
    registry = QuestionnaireRegistry.from_directory(
        settings.questionnaires_dir, settings.landlord_name
    )
    if migrate:
        registry.store_all(database)
    engine = Engine(database, registry, settings)
    report_translation_gaps(registry, settings)
    return Service(settings, database, registry, engine)


def report_translation_gaps(registry: QuestionnaireRegistry, settings: Settings) -> list[str]:
    """Say loudly, at start-up, which languages tenants would partly see in English."""
    from bot.i18n import catalogs

    languages = sorted({code for q in registry.all() for code in q.languages})
    gaps = []
    for status in catalogs.check(settings.locales_dir, languages):
        if not status.complete:
            gaps.append(
                f"{status.language}: {status.translated} of {status.total} system strings "
                "translated" + ("" if status.exists else " (no catalog)")
            )
    for gap in gaps:
        logger.warning("translation gap, tenants will see English for the rest: %s", gap)
    return gaps
