"""The test run finds its own PostgreSQL: the configured one, or a throwaway server."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.support import postgres
from tests.support.ports import free_port


def test_the_configured_server_is_used_only_when_it_answers_and_is_not_overridden() -> None:
    assert postgres.embedded_wanted(None, configured_answers=True) is False
    assert postgres.embedded_wanted(None, configured_answers=False) is True
    assert postgres.embedded_wanted("embedded", configured_answers=True) is True
    assert postgres.embedded_wanted("", configured_answers=True) is False


def test_a_silent_address_is_noticed_within_seconds() -> None:
    started = time.monotonic()
    assert postgres.answers(f"postgresql://postgres@127.0.0.1:{free_port()}/test") is False
    assert time.monotonic() - started < 5


def test_this_runs_server_is_the_one_the_mode_asks_for() -> None:
    """Runs in an xdist worker under `-n 2`: the URL came from the controller's environment."""
    url = os.environ[postgres.URL_VARIABLE]
    assert postgres.answers(url)
    if os.environ.get(postgres.MODE_VARIABLE) == "embedded":
        assert urlsplit(url).port != 5432
        with psycopg.connect(url) as connection:
            row = connection.execute("SHOW data_directory").fetchone()
        assert row is not None
        assert Path(row[0]).parent.name.startswith("doorstep-pg-")


def test_forcing_embedded_starts_a_throwaway_server_that_is_removed_afterwards() -> None:
    server = postgres.choose("embedded", postgres.configured_url())
    assert server is not None
    try:
        assert urlsplit(server.url).port != 5432
        assert postgres.answers(server.url)
        assert server.data.is_dir()
    finally:
        server.stop()
    assert not server.folder.exists()
    assert postgres.answers(server.url) is False


def test_the_answering_server_is_kept_when_nothing_forces_embedded() -> None:
    assert postgres.choose(None, postgres.configured_url()) is None


def test_without_postgresql_programs_the_run_fails_with_one_sentence(
    tmp_path: Path,
) -> None:
    with pytest.raises(postgres.PostgresUnavailable) as failure:
        postgres.binary_folder(search=[tmp_path])
    message = str(failure.value)
    assert "scripts/test" in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert (postgres.binary_folder() / "initdb").is_file()  # this machine has them
