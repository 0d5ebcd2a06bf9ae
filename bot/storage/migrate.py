"""Schema migrations with Alembic, run from code so `doorstep serve` needs no extra step."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def regenerate_initial(scratch_url: str = "sqlite://") -> Path:
    """Rewrite migration 0001 from the models. Only while nothing has been released: once a
    database in service has 0001, schema changes get new migrations instead."""
    from sqlalchemy import create_engine

    target = MIGRATIONS / "versions" / "0001_initial_schema.py"
    target.unlink(missing_ok=True)
    command.revision(
        alembic_config(create_engine(scratch_url)),
        message="initial schema",
        autogenerate=True,
        rev_id="0001",
    )
    return target
