"""The OpenAPI document declares the error answers the API really gives, and dates must be
ISO 8601: a number such as `until=0.5` or `"completed_at": 0` is refused, not read as 1970."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from bot.service import Service
from tests.support.auth import add_key, bearer, client_for


@pytest.fixture
def admin(service: Service) -> tuple[TestClient, dict[str, str]]:
    return client_for(service), bearer(add_key(service, "admin", "openapi-admin"))


def assert_declared(client: TestClient, method: str, path: str, response: Any) -> None:
    """The answer's status is documented for the operation and its body fits the schema."""
    document = client.get("/openapi.json").json()
    declared = document["paths"][path][method]["responses"]
    assert str(response.status_code) in declared, sorted(declared)
    schema = declared[str(response.status_code)]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    assert not list(validator.iter_errors(response.json())), response.json()


@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "-1e3"])
def test_a_number_for_an_audit_date_is_refused_with_the_declared_body(
    admin: tuple[TestClient, dict[str, str]], value: str
) -> None:
    client, headers = admin
    response = client.get("/api/audit", params={"until": value}, headers=headers)
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {
            "field": "query.until",
            "problem": "Input should be written in ISO 8601, e.g. 2026-11-20T14:05:00Z, "
            "not a number",
        }
    ]
    assert_declared(client, "get", "/api/audit", response)
    accepted = client.get("/api/audit", params={"until": "2026-11-20T14:05:00Z"}, headers=headers)
    assert accepted.status_code == 200


def test_a_number_for_an_export_day_is_refused(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = admin
    params = {"questionnaire": "post_repair", "date_from": "0"}
    response = client.get("/api/responses", params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "query.date_from"
    assert_declared(client, "get", "/api/responses", response)


@pytest.mark.parametrize("value", [0, 0.5, "1700000000", True])
def test_a_number_for_completed_at_is_refused_with_the_declared_body(
    admin: tuple[TestClient, dict[str, str]], value: object
) -> None:
    client, headers = admin
    event = {"job_id": "J-1", "tenant_ref": "T-1", "completed_at": value}
    response = client.post("/api/events/repairs", json=event, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "index": 0,
            "job_id": "J-1",
            "problems": [
                "The completion time is a number, not a date: write it like 2027-03-02 09:00 "
                "or 2027-03-02T09:00:00Z."
            ],
        }
    ]
    assert_declared(client, "post", "/api/events/repairs", response)


def test_a_refused_event_never_echoes_what_was_sent_as_its_job_id(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = admin
    event = {"job_id": {"nested": ["x" * 100]}, "tenant_ref": "T-1", "completed_at": "x"}
    response = client.post("/api/events/repairs", json=event, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["job_id"] is None
    assert_declared(client, "post", "/api/events/repairs", response)


def test_a_number_for_a_campaign_start_is_refused(
    admin: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = admin
    spec = {"name": "Autumn", "questionnaire": "post_repair", "starts_at": 0}
    response = client.post("/api/campaigns", json=spec, headers=headers)
    assert response.status_code == 422
    assert "The start time is a number, not a date" in str(response.json()["detail"])
    assert_declared(client, "post", "/api/campaigns", response)


def test_every_error_answer_is_declared_with_a_body(service: Service) -> None:
    document = client_for(service).get("/openapi.json").json()
    assert "HTTPValidationError" not in str(document)
    operations = {
        f"{method.upper()} {path}": operation["responses"]
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    for name, responses in operations.items():
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"]["$ref"], (name, status)
        if name.startswith(("GET /api/tenants", "POST /api/events", "GET /api/me")):
            assert {"401", "403"} <= set(responses), name
    assert {"401", "413", "415", "422", "429"} <= set(operations["POST /api/auth/login"])
    assert "401" not in operations["GET /health"]
    assert set(operations["GET /api/exports/{fmt}"]["200"]["content"]) == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.apache.parquet",
        "application/x-spss-sav",
    }
    assert document["components"]["schemas"]["InvalidRequest"]["properties"]["problems"]
