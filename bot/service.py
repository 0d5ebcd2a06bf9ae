"""Wiring: one place that builds the database, the questionnaires and the engine."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.engine import Engine
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.settings import Settings, get_settings
from bot.storage.db import Database


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
    engine = Engine(database, registry, settings)
    return Service(settings, database, registry, engine)
