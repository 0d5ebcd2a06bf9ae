"""Shared test support."""

from __future__ import annotations

from collections.abc import Callable

from analysis.demo.data import DemoSummary

DATA_SEED = 7


Demo = Callable[..., DemoSummary]
