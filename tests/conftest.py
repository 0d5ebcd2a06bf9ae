"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at DOORSTEP_TEST_POSTGRES_URL when it answers, else a throwaway
server this test run starts and removes (tests/support/postgres.py); each xdist worker gets
its own schema, migrated once and truncated per test. SQLite gets a fresh copy of a migrated
template file per test.
"""

from __future__ import annotations

import datetime
import gc
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.engine.engine import Engine
from bot.service import Service
from bot.settings import DEFAULT_QUESTIONNAIRES, Settings
from bot.storage.db import Database
from bot.storage.schema import metadata
from tests.support import postgres
from tests.support.services import FIXTURES, Clock, make_registry

pytest_plugins = ["tests.support.channel_plugin", "tests.support.browser"]


def pytest_configure(config: pytest.Config) -> None:
    # Once per run, in the xdist controller: the workers it spawns later inherit the URL.
    if not hasattr(config, "workerinput"):
        try:
            postgres.provide()
        except postgres.PostgresUnavailable as error:
            raise pytest.UsageError(str(error)) from None


def pytest_unconfigure(config: pytest.Config) -> None:
    postgres.release()
    # pytest's last cleanup runs five full garbage collections. A worker that has built a
    # thousand apps still holds the last ~80 of them (FastAPI remembers the last 4,096
    # endpoints it classified), well over a million objects, so those collections take
    # several seconds, and xdist interrupts a worker still busy 5 s after the run ends (a
    # KeyboardInterrupt traceback at the end of a green run). Freezing takes what is alive
    # out of those collections; an object still in a cycle then is never finalised, so only
    # a warning it would raise at exit goes unseen.
    gc.freeze()


def pytest_report_header(config: pytest.Config) -> str:
    server = postgres.embedded_server()
    where = postgres.describe(os.environ[postgres.URL_VARIABLE])
    if server is None:
        return f"postgresql: the server at {where}"
    return (
        f"postgresql: a throwaway server at {where}, data in {server.folder} (removed at the end)"
    )


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach a host outside this machine fails the test."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise AssertionError(f"a test tried to reach the internet ({host})")
        return real_connect(sock, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.create_schema()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    # Unique per process, so parallel test runs on one server never share tables.
    schema = f"doorstep_test_{_worker()}_{os.getpid()}"
    admin = create_engine(
        postgres.configured_url().replace("postgresql://", "postgresql+psycopg://")
    )
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(_schema_url(schema))
    database.create_schema()
    database.dispose()
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _schema_url(schema: str) -> str:
    url = postgres.configured_url()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "doorstep.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    schema: str = request.getfixturevalue("postgres_schema")
    url = _schema_url(schema)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        questionnaires_dir=DEFAULT_QUESTIONNAIRES,
        landlord_name="Riverside Homes",
    )


@pytest.fixture
def service(settings: Settings, database: Database, clock: Clock) -> Service:
    registry = make_registry(settings, FIXTURES / "all_types.yaml")
    return Service(settings, database, registry, Engine(database, registry, settings, clock))


@pytest.fixture
def make_engine(settings: Settings, clock: Clock) -> Callable[[], Engine]:
    """A brand-new engine and database connection pool, as after a restart."""

    def build() -> Engine:
        database = Database(settings.database_url)
        registry = make_registry(settings, FIXTURES / "all_types.yaml")
        return Engine(database, registry, settings, clock)

    return build
