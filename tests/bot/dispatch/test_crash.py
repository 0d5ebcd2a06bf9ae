"""Crash test: `doorstep worker` killed with SIGKILL mid-campaign, then restarted.

5,000 tenants are invited while real worker processes send through the real Twilio client
to a local fake Twilio API. One worker is killed outright part-way through and started
again; in the end the fake must have received exactly one invitation per tenant: none
twice, none missing. SQLite runs one worker, PostgreSQL two sharing the outbox.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot.campaigns import lifecycle
from bot.campaigns import service as campaign_service
from bot.campaigns.spec import parse_spec
from bot.campaigns.tick import run_campaigns
from bot.engine.engine import Engine
from bot.service import Service
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.db import Database
from bot.storage.models import utcnow
from bot.storage.tables import IDENTITIES, OUTBOUND, RESPONDENTS, TARGETS
from tests.support.fakes import twilio_api
from tests.support.fakes.twilio_api import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGING_SERVICE_SID,
    FakeTwilioApi,
    running_fake,
)
from tests.support.services import make_registry

TENANTS = 5000
KILL_AFTER = 1500  # invitations the fake has received when the first worker is killed
RATE = 1000  # SMS parts a second (an invitation is three): high, so the test stays short
# Longer than any live claim: a round books 2 s of messages, the SMS channel sends them by
# the part (three a message: 6 s), and a worker has two rounds in flight (12 s).
STALE_SECONDS = 30
DEADLINE = 300.0  # generous: a loaded machine is slow, and this is not a timing test


def number(index: int) -> str:
    return f"+4477009{index:05d}"


def add_tenants(database: Database) -> None:
    now = utcnow()
    with database.engine.begin() as connection:
        connection.execute(
            insert(RESPONDENTS),
            [
                {"id": n + 1, "tenant_ref": f"T{n}", "timezone": "Europe/London", "created_at": now}
                for n in range(TENANTS)
            ],
        )
        connection.execute(
            insert(IDENTITIES),
            [
                {"respondent_id": n + 1, "channel": "sms", "address": number(n), "created_at": now}
                for n in range(TENANTS)
            ],
        )


def worker_environment(database_url: str, fake: FakeTwilioApi) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DOORSTEP_ENVIRONMENT": "test",
        "DOORSTEP_DATABASE_URL": database_url,
        "DOORSTEP_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "DOORSTEP_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "DOORSTEP_TWILIO_MESSAGING_SERVICE_SID": MESSAGING_SERVICE_SID,
        "DOORSTEP_PUBLIC_BASE_URL": "https://doorstep.example.org",
        "DOORSTEP_SMS_RATE_PER_SECOND": str(RATE),
        "DOORSTEP_OUTBOX_STALE_SECONDS": str(STALE_SECONDS),
        "DOORSTEP_TEST_TWILIO_URL": fake.base_url,
    }


@pytest.fixture
def start_worker(
    tmp_path: Path,
) -> Iterator[Callable[[dict[str, str], str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(environment: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        command = [sys.executable, "-m", "tests.support.worker_process", "--name", name]
        process = subprocess.Popen(
            command, env=environment, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def outbox_settled(database: Database) -> bool:
    with database.engine.connect() as connection:
        total, unsent = connection.execute(
            select(
                func.count(),
                func.count().filter(OUTBOUND.c.status.in_(["pending", "sending"])),
            )
        ).one()
        waiting = connection.execute(
            select(func.count()).select_from(TARGETS).where(TARGETS.c.status == "pending")
        ).scalar_one()
    return total == TENANTS and unsent == 0 and waiting == 0


@pytest.mark.slow
def test_a_killed_and_restarted_dispatcher_sends_every_invitation_exactly_once(
    database_url: str,
    settings: Settings,
    start_worker: Callable[[dict[str, str], str], subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The fake writes headers and body separately; without TCP_NODELAY each answer waits
    # for the client's delayed ACK (40 ms), which caps the fake far below the rate.
    monkeypatch.setattr(twilio_api._Handler, "disable_nagle_algorithm", True)
    workers = 1 if database_url.startswith("sqlite") else 2
    database = Database(database_url)
    registry = make_registry(settings)
    service = Service(settings, database, registry, Engine(database, registry, settings))
    add_tenants(database)
    now = utcnow()
    campaign = parse_spec(
        {
            "name": "Crash test",
            "questionnaire": "post_repair",
            "starts_at": (now - datetime.timedelta(minutes=1)).isoformat(),
            "days": "mon-sun",
            "hours": "00:00-24:00",
            "send_rate_per_minute": {"sms": 0},
            "reminders": 0,
        }
    )
    with database.engine.begin() as connection:
        campaign_id = campaign_service.create_campaign(connection, registry, campaign, now)
        lifecycle.schedule(connection, campaign_id, now)

    with running_fake() as fake:
        environment = worker_environment(database_url, fake)
        processes = [start_worker(environment, f"worker-{n}") for n in range(workers)]
        # The scheduler's part runs here while the workers already send.
        enqueuing = threading.Thread(
            target=lambda: [run_campaigns(service, available={"sms"}) for _ in range(3)]
        )
        enqueuing.start()
        wait_for(lambda: len(fake.messages) >= KILL_AFTER, f"{KILL_AFTER} messages")
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait()
        killed_at = len(fake.messages)
        processes[0] = start_worker(environment, "worker-0-restarted")
        enqueuing.join(timeout=DEADLINE)
        wait_for(lambda: outbox_settled(database), "every invitation to be sent")
        for process in processes:
            process.send_signal(signal.SIGTERM)
        exit_codes = [process.wait(timeout=30) for process in processes]
        received = Counter(message.to for message in fake.messages)

    database.dispose()
    assert KILL_AFTER <= killed_at < TENANTS, "the kill did not land mid-campaign"
    assert exit_codes == [0] * workers  # SIGTERM stops a worker cleanly
    duplicates = {to: count for to, count in received.items() if count > 1}
    assert duplicates == {}
    assert set(received) == {number(n) for n in range(TENANTS)}
