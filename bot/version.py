"""The installed package's version, from its metadata (set once, in pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version() -> str:
    try:
        return version("doorstep")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"
