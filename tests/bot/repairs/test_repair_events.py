"""`POST /api/events/repairs`: API keys, validation, idempotence (also concurrent)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bot.access.apikeys import create_key, revoke_key
from bot.repairs.events import parse_event, record_event
from bot.repairs.models import RepairState
from bot.service import Service
from channels.registry import ChannelRegistry
from tests.support.repairs import (
    at,
    event,
    job,
    jobs,
    outbox,
    report,
    sessions,
    tenant,
    tick,
    with_settings,
)
from tests.support.services import Clock

PATH = "/api/events/repairs"
SMS = "+447700900001"


@pytest.fixture
def key(service: Service, clock: Clock) -> str:
    with service.database.engine.begin() as connection:
        return create_key(connection, "repairs-system", clock.now).key


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    app = create_app(service.settings, service, ChannelRegistry(), background=False)
    with TestClient(app) as test_client:
        yield test_client


def post(client: TestClient, key: str, body: Any) -> Any:
    return client.post(PATH, json=body, headers={"Authorization": f"Bearer {key}"})


def test_requests_without_a_valid_key_get_401(
    client: TestClient, service: Service, clock: Clock, key: str
) -> None:
    assert client.post(PATH, json=event()).status_code == 401
    wrong = key[:-4] + "AAAA"
    for headers in ({"Authorization": f"Bearer {wrong}"}, {"X-API-Key": "dsk_nope.x"}):
        response = client.post(PATH, json=event(), headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.post(PATH, json=event(), headers={"X-API-Key": key}).status_code == 200
    with service.database.engine.begin() as connection:
        assert revoke_key(connection, "repairs-system", clock.now) == 1
    assert post(client, key, event("J-2")).status_code == 401
    assert [row.job_id for row in jobs(service)] == ["J-1"]


def test_the_same_event_twice_gives_one_survey(
    client: TestClient, service: Service, clock: Clock, key: str
) -> None:
    tenant(service, "T-1", sms=SMS)
    tenant(service, "T-2", sms="+447700900002")
    first = post(client, key, event())
    assert first.json() == {
        "scheduled": 1, "skipped": 0, "duplicate": 0,
        "results": [{"job_id": "J-1", "status": "scheduled"}],
    }  # fmt: skip
    again = post(client, key, [event(), event("J-2", "T-2")])
    assert [result["status"] for result in again.json()["results"]] == ["duplicate", "scheduled"]
    clock.advance(hours=3)
    assert tick(service, clock).invited == 2
    assert post(client, key, event()).json()["duplicate"] == 1  # also after the survey went
    clock.advance(days=1)
    tick(service, clock)
    assert len(jobs(service)) == 2 and len(sessions(service)) == 2
    assert len(outbox(service, SMS)) == 1


def test_concurrent_posts_of_one_event_give_one_survey(
    client: TestClient, service: Service, clock: Clock, key: str
) -> None:
    tenant(service, "T-1", sms=SMS)
    start = threading.Barrier(6)

    def send(_: int) -> str:
        start.wait()
        response = post(client, key, event())
        return str(response.json()["results"][0]["status"])

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(send, range(6)))
    assert statuses == ["duplicate"] * 5 + ["scheduled"]
    clock.advance(hours=3)
    tick(service, clock)
    tick(service, clock)
    assert len(jobs(service)) == 1 and len(sessions(service)) == 1
    assert len(outbox(service, SMS)) == 1


def test_concurrent_transactions_on_the_database_store_the_job_once(
    service: Service, clock: Clock
) -> None:
    checked = parse_event(event(), service.settings, clock.now)
    start = threading.Barrier(4)

    def store(_: int) -> str:
        with service.database.engine.connect() as connection:
            start.wait()
            with connection.begin():
                return record_event(
                    connection, checked, settings=service.settings, now=clock.now, source="t"
                ).status

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(store, range(4)))
    assert statuses == ["duplicate"] * 3 + ["scheduled"]
    assert len(jobs(service)) == 1


def test_bad_requests_get_clear_4xx_answers_and_store_nothing(
    client: TestClient, service: Service, key: str
) -> None:
    response = post(
        client,
        key,
        [
            event(),
            {"tenant_ref": "T-1", "completed_at": "yesterday"},
            "J-3",
            event("J-4", completed_at="2026-11-09T09:00:00Z"),
        ],
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "index": 1,
            "job_id": None,
            "problems": [
                "The job id is missing. The completion time is not a date and time Doorstep "
                "can read: write it like 2027-03-02 09:00 or 2027-03-02T09:00:00Z."
            ],
        },
        {"index": 2, "problems": ["An event must be a JSON object."]},
        {
            "index": 3,
            "job_id": "J-4",
            "problems": ["The completion time is in the future: a repair cannot be completed yet."],
        },
    ]
    assert post(client, key, []).status_code == 422
    assert post(client, key, event(trade="x" * 65)).status_code == 422
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    assert client.post(PATH, content=b"{not json", headers=headers).status_code == 400
    huge = json.dumps([event(f"J-{n}") for n in range(20_000)])
    assert client.post(PATH, content=huge, headers=headers).status_code == 413
    assert jobs(service) == []


def test_a_back_dated_event_inside_the_window_counts_and_an_older_one_is_skipped(
    service: Service, clock: Clock
) -> None:
    service = with_settings(service, repair_backdate_days=7)
    tenant(service, "T-1", sms=SMS)
    statuses = report(
        service,
        clock,
        event("J-1", completed_at="2026-10-27T10:00:00Z"),  # 6 days ago
        event("J-2", completed_at="2026-10-20T10:00:00Z"),  # 13 days ago
    )
    assert statuses == ["scheduled", "skipped"]
    assert job(service, "J-1").survey_due_at == clock.now  # its delay passed long ago
    skipped = job(service, "J-2")
    assert skipped.state == RepairState.SKIPPED
    assert skipped.skip_reason == (
        "Completed 13 day(s) before it was reported; only repairs reported within 7 day(s) "
        "are surveyed."
    )
    assert skipped.survey_due_at is None
    assert job(service, "J-1").completed_at == at("2026-10-27T10:00:00+00:00")


def test_a_local_time_without_an_offset_is_the_landlords_time(
    service: Service, clock: Clock
) -> None:
    checked = parse_event(event(completed_at="2026-07-01T09:00:00"), service.settings, clock.now)
    assert checked.completed_at == at("2026-07-01T08:00:00+00:00")  # BST
    checked = parse_event(
        {"job_id": 77, "tenant_reference": 10042, "completed_at": "2026-11-01T09:00:00"},
        service.settings,
        clock.now,
    )
    assert (checked.job_id, checked.tenant_ref) == ("77", "10042")


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"job_id": "J\u0000", "tenant_ref": "T-1", "completed_at": "2026-11-01"}),
        json.dumps({"job_id": "J", "tenant_ref": "T", "completed_at": "9999-12-31T23:00-05:00"}),
        json.dumps({"job_id": {"a": 1}, "tenant_ref": ["x"], "completed_at": 5}),
        b"\xff\xfe",
    ],
)
def test_hostile_bodies_get_4xx_never_500(client: TestClient, key: str, body: Any) -> None:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    response = client.post(PATH, content=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
