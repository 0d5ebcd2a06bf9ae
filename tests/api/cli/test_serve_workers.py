"""`doorstep serve --workers N`: several API processes on PostgreSQL, background work in one.

The PostgreSQL case runs the real command in a subprocess (uvicorn spawns the workers) and
reads its log: exactly one process says it runs the scheduler and the dispatcher.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.main import app
from bot.settings import get_settings
from tests.support import postgres
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
LEADS = "runs the scheduler and the dispatcher"
FOLLOWS = "serves requests only"
runner = CliRunner()


def test_more_than_one_worker_on_sqlite_is_refused_in_a_sentence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOORSTEP_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "SQLite has a single writer" in result.output and "PostgreSQL" in result.output
    assert not (tmp_path / "x.db").exists()  # refused before anything was created


def _started(log: Path, process: subprocess.Popen[bytes], workers: int) -> str:
    deadline = time.monotonic() + 90
    text = ""
    while time.monotonic() < deadline and process.poll() is None:
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.count("Application startup complete") >= workers:
            return text
        time.sleep(0.2)
    raise AssertionError(f"serve did not start its workers:\n{text}")


def test_two_workers_on_postgresql_run_the_background_work_once(
    postgres_schema: str, tmp_path: Path
) -> None:
    url = postgres.configured_url()
    url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{postgres_schema}"
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DOORSTEP_DATABASE_URL": url,
        "DOORSTEP_QUESTIONNAIRES_DIR": str(ROOT / "questionnaires"),
        "DOORSTEP_LOCALES_DIR": str(ROOT / "locales"),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", "from api.cli.main import main; main()", "serve",
             "--workers", "2", "--port", str(port)],
            stdout=output, stderr=subprocess.STDOUT, env=environment, cwd=tmp_path,
        )  # fmt: skip
    try:
        text = _started(log, process, workers=2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            assert answer.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert text.count(LEADS) == 1, text
    assert text.count(FOLLOWS) == 1, text
