"""An OpenAPI-driven fuzz run: schemathesis calls every operation with generated input, as
an admin and as an analyst. No answer may be a server error (5xx), and every answer must be
one the document declares: its status code, content type, headers and body schema.

The run is bounded (examples per operation, derandomized, no deadline) to stay within about
two minutes on two cores; SQLite only, since it exercises request handling rather than the
database.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from bot.service import Service
from channels.registry import build_channels
from tests.support.auth import add_key, bearer
from tests.support.exports import answer_all_types

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only for this module (overrides the suite's SQLite + PostgreSQL parameter)."""
    target = tmp_path / "doorstep.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def keys(service: Service) -> dict[str, str]:
    return {role: add_key(service, role, f"fuzz-{role}") for role in ("admin", "analyst")}


@pytest.fixture
def api_schema(service: Service, keys: dict[str, str]) -> schemathesis.BaseSchema:
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
def test_every_answer_is_a_documented_non_server_error(
    case: schemathesis.Case, keys: dict[str, str]
) -> None:
    for key in keys.values():
        case.call_and_validate(headers=bearer(key), checks=CHECKS)
