"""A served process keeps what start-up made out of the garbage collector's full scans."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bot.service import Service
from channels.registry import ChannelRegistry


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Every test starts and ends with nothing frozen: the test process builds many apps."""
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize("freeze", [True, False])
def test_start_up_is_frozen_only_in_a_served_process(
    service: Service, unfrozen: None, freeze: bool
) -> None:
    app = create_app(
        service.settings, service, ChannelRegistry([]), background=False, freeze_start_up=freeze
    )
    with TestClient(app) as client:
        frozen = gc.get_freeze_count()
        scanned = any(each is app for each in gc.get_objects())  # what a full collection scans
        assert client.get("/health").status_code == 200
    if freeze:  # the app, its routes and every module imported so far
        assert frozen > 50_000 and not scanned
    else:
        assert frozen == 0 and scanned
