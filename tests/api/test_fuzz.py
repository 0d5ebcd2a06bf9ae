"""An OpenAPI-driven fuzz run: schemathesis calls every operation with generated input, as
an admin, and no response may be a server error (5xx).

The run is bounded (examples per operation, no shrinking deadline) to stay within about two
minutes; SQLite only, since it exercises request handling rather than the database.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from bot.service import Service
from channels.registry import build_channels
from tests.support.auth import add_key, bearer
from tests.support.exports import answer_all_types

EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only for this module (overrides the suite's SQLite + PostgreSQL parameter)."""
    target = tmp_path / "doorstep.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def admin_key(service: Service) -> str:
    return add_key(service, "admin", "fuzz-admin")


@pytest.fixture
def api_schema(service: Service, admin_key: str) -> schemathesis.BaseSchema:
    answer_all_types(service)  # some data, so exports of all_types have rows
    app = create_app(service.settings, service, build_channels(service.settings), background=False)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_with_a_server_error(case: schemathesis.Case, admin_key: str) -> None:
    case.call_and_validate(headers=bearer(admin_key), checks=[not_a_server_error])
