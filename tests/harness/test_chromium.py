"""The browser tests find a Chromium wherever the machine has one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import chromium


def _program(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_a_chromium_on_path_is_found_by_any_of_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(chromium.OVERRIDE_VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chromium.find_chromium() is None
    chrome = _program(tmp_path, "google-chrome")
    assert chromium.find_chromium() == str(chrome)
    preferred = _program(tmp_path, "chromium")
    assert chromium.find_chromium() == str(preferred)


def test_the_override_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _program(tmp_path, "chromium")
    custom = _program(tmp_path, "my-chrome")
    monkeypatch.setenv(chromium.OVERRIDE_VARIABLE, str(custom))
    assert chromium.find_chromium() == str(custom)
    monkeypatch.setenv(chromium.OVERRIDE_VARIABLE, str(tmp_path / "absent"))
    assert chromium.find_chromium() is None


def test_the_missing_chromium_message_says_how_to_get_one() -> None:
    assert "scripts/test" in chromium.MISSING
    assert chromium.OVERRIDE_VARIABLE in chromium.MISSING
