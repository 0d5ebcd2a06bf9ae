"""The wheel that a deployment or a container image installs works from any folder.

Built from a copy of this repository, installed in a fresh virtual environment (its
dependencies come from this machine's site-packages, so nothing is downloaded), and run from
an unrelated folder: the shipped questionnaires, catalogs, templates and migrations must all
come from the installed package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot import settings as settings_module
from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".venv", "*.db", "tests"
)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A venv holding only the built wheel, and an environment that does not see this tree."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    env = {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONPATH" and not key.startswith("DOORSTEP_")
    }
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(root / "dist"), str(source)],
        root, env,
    )  # fmt: skip
    shutil.rmtree(source)  # nothing of the repository is left to fall back on
    wheel = next((root / "dist").glob("doorstep-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], root, env)
    _run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-index", "--force-reinstall", str(wheel)],
        root, env,
    )  # fmt: skip
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    env["DOORSTEP_DATABASE_URL"] = f"sqlite:///{elsewhere / 'doorstep.db'}"
    yield venv, env


@pytest.mark.slow
def test_installed_wheel_reads_its_own_data(installed: tuple[Path, dict[str, str]]) -> None:
    venv, env = installed
    probe = (
        "import bot, bot.settings as s, bot.storage.migrate as m;"
        "print(bot.__file__, s.DEFAULT_QUESTIONNAIRES, s.DEFAULT_LOCALES, m.MIGRATIONS, sep='\\n')"
    )
    folder = venv.parent / "elsewhere"
    paths = _run([str(venv / "bin" / "python"), "-c", probe], folder, env).split()
    assert len(paths) == 4
    for path in paths:
        assert Path(path).is_relative_to(venv), f"{path} is not inside the installed package"
    assert sorted(p.name for p in Path(paths[1]).glob("*.yaml")) == sorted(
        p.name for p in (REPO / "questionnaires").glob("*.yaml")
    )
    assert (Path(paths[2]) / "cy" / "LC_MESSAGES" / "doorstep.po").is_file()


@pytest.mark.slow
def test_installed_wheel_upgrades_the_database_and_serves_chat(
    installed: tuple[Path, dict[str, str]],
) -> None:
    venv, env = installed
    folder = venv.parent / "elsewhere"
    doorstep = str(venv / "bin" / "doorstep")
    assert "up to date" in _run([doorstep, "db", "upgrade"], folder, env)
    assert (folder / "doorstep.db").stat().st_size > 0

    port = free_port()
    server = subprocess.Popen(
        [doorstep, "serve", "--port", str(port)],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/chat", server)
        assert response.status_code == 200
        assert "<html" in response.text.lower()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output


@pytest.mark.slow
def test_installed_wheel_writes_the_report(installed: tuple[Path, dict[str, str]]) -> None:
    venv, env = installed
    folder = venv.parent / "elsewhere"
    doorstep = str(venv / "bin" / "doorstep")
    _run([doorstep, "db", "upgrade"], folder, env)
    _run([doorstep, "report", "--output", "report"], folder, env)
    html = (folder / "report" / "report.html").read_text(encoding="utf-8")
    # An empty database: every chart says in words that there is nothing to draw yet.
    assert "<h1" in html and "Traceback" not in html


def _wait_for(url: str, server: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"doorstep serve stopped before answering:\n{output}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("doorstep serve did not answer within a minute")


def test_settings_prefer_the_data_shipped_in_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "bot"
    (package / "_data" / "questionnaires").mkdir(parents=True)
    monkeypatch.setattr(settings_module, "PACKAGE_ROOT", package)
    monkeypatch.setattr(settings_module, "PROJECT_ROOT", tmp_path)
    shipped = settings_module.shipped_folder
    assert shipped("questionnaires") == package / "_data" / "questionnaires"
    assert shipped("locales") == tmp_path / "locales"  # a checkout: the repository's folder


def test_a_questionnaires_folder_setting_still_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOORSTEP_QUESTIONNAIRES_DIR", str(tmp_path))
    monkeypatch.setenv("DOORSTEP_LOCALES_DIR", str(tmp_path / "locales"))
    chosen = settings_module.Settings()
    assert chosen.questionnaires_dir == tmp_path
    assert chosen.locales_dir == tmp_path / "locales"
