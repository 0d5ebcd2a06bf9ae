"""Who may do what, across the API: 401 without credentials, 403 with the wrong role.

Runs against the real routes (campaigns, tenants, exports, audit, subject access) with
console users and with API keys of every role.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.access.audit import list_audit
from bot.access.users import Role
from bot.service import Service
from tests.support.auth import (
    add_key,
    add_tenant,
    add_user,
    bearer,
    client_for,
    sign_in,
)
from tests.support.chat import Chat

PHONE = "+447700900123"
CAMPAIGN = {
    "questionnaire": "post_repair",
    "name": "Winter check",
    "starts_at": "2026-11-03T09:00:00Z",
}
EXPORT = {"questionnaire": "post_repair"}


@pytest.fixture
def answered(service: Service) -> Service:
    """One tenant, with a phone number, who has answered the repair survey by SMS."""
    service.registry.store_all(service.database)
    add_tenant(service, "T-1", PHONE)
    chat = Chat(service.engine, address=PHONE)
    chat.start("post_repair")
    for reply in ("yes", "2", "no", '=HYPERLINK("http://x","y")'):
        chat.send(reply)
    return service


def _as(service: Service, role: Role, *, identifiable: bool = False) -> TestClient:
    email = f"{role.value}{'-granted' if identifiable else ''}@example.org"
    add_user(service, email, role, identifiable=identifiable)
    client = client_for(service)
    csrf = sign_in(client, email)
    client.headers["X-CSRF-Token"] = csrf
    return client


def test_requests_without_credentials_get_401(service: Service) -> None:
    client = client_for(service)
    for method, path in [
        ("GET", "/api/me"),
        ("GET", "/api/campaigns"),
        ("POST", "/api/campaigns"),
        ("GET", "/api/tenants"),
        ("GET", "/api/audit"),
        ("GET", "/api/tenants/T-1/subject-access"),
        ("POST", "/api/tenants/T-1/erase"),
        ("GET", "/api/exports/csv?questionnaire=post_repair"),
    ]:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["detail"].endswith(".")
    garbage = client.get("/api/me", headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 401


def test_an_analyst_cannot_create_campaigns_or_see_phone_numbers(answered: Service) -> None:
    analyst = _as(answered, Role.ANALYST)
    assert analyst.get("/api/campaigns").status_code == 200  # may watch progress
    refused = analyst.post("/api/campaigns", json=CAMPAIGN)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role does not allow this; ask an administrator."}
    found = analyst.get("/api/tenants", params={"q": "T-1"})
    assert found.status_code == 200 and PHONE not in found.text and "7700" not in found.text
    assert analyst.get("/api/tenants/T-1").status_code == 403
    for fmt in ("csv", "xlsx"):
        pseudonymised = analyst.get(f"/api/exports/{fmt}", params=EXPORT)
        assert pseudonymised.status_code == 200
        assert PHONE.encode() not in pseudonymised.content and b"T-1" not in pseudonymised.content
    identifiable = {**EXPORT, "identifiable": "true"}
    assert analyst.get("/api/exports/csv", params=identifiable).status_code == 403
    officer = _as(answered, Role.OFFICER)
    assert officer.post("/api/campaigns", json=CAMPAIGN).status_code not in (401, 403)
    assert PHONE in officer.get("/api/tenants/T-1").text


def test_identifiable_exports_need_the_grant_and_every_export_is_audited(
    answered: Service,
) -> None:
    identifiable = {**EXPORT, "identifiable": "true"}
    officer = _as(answered, Role.OFFICER)
    refused = officer.get("/api/exports/csv", params=identifiable)
    assert refused.status_code == 403
    assert officer.get("/api/exports/csv", params=EXPORT).status_code == 200
    granted = _as(answered, Role.OFFICER, identifiable=True)
    allowed = granted.get("/api/exports/csv", params=identifiable)
    assert allowed.status_code == 200 and b"T-1" in allowed.content
    admin = _as(answered, Role.ADMIN)
    assert admin.get("/api/exports/xlsx", params=identifiable).status_code == 200
    entries = _audit(answered)
    exports = [e for e in entries if e["action"] == "export"]
    assert {(e["who"]["name"], e["filters"].get("identifiable")) for e in exports} >= {
        ("officer@example.org", False),
        ("officer-granted@example.org", True),
        ("admin@example.org", True),
    }
    assert all(e["row_count"] == 1 for e in exports)
    # The audit log is for admins only.
    assert officer.get("/api/audit").status_code == 403
    assert granted.get("/api/audit").status_code == 403
    listed = admin.get("/api/audit", params={"action": "export"}).json()
    assert listed["total"] == len(exports)
    assert all(entry["row_count"] == 1 for entry in listed["entries"])


def _audit(service: Service) -> list[dict[str, Any]]:
    with service.database.engine.connect() as connection:
        return [entry.as_json() for entry in list_audit(connection, limit=500).entries]


@pytest.mark.parametrize(
    ("role", "audit", "campaigns", "create", "repairs"),
    [
        ("repairs", 403, 403, 403, 200),
        ("analyst", 403, 200, 403, 403),
        ("officer", 403, 200, 201, 403),
        ("admin", 200, 200, 201, 200),
    ],
)
def test_api_keys_carry_a_role(
    service: Service, role: str, audit: int, campaigns: int, create: int, repairs: int
) -> None:
    service.registry.store_all(service.database)
    key = add_key(service, role)
    client = client_for(service)
    headers = bearer(key)
    assert client.get("/api/me", headers=headers).json()["role"] == role
    assert client.get("/api/audit", headers=headers).status_code == audit
    assert client.get("/api/campaigns", headers=headers).status_code == campaigns
    created = client.post("/api/campaigns", headers=headers, json=CAMPAIGN)
    assert created.status_code == create, created.text
    event = {"job_id": f"J-{role}", "tenant_ref": "T-9", "completed_at": "2026-11-02T09:00:00Z"}
    # Repair events come from the repairs system's key (or an admin's), not people's keys.
    assert client.post("/api/events/repairs", headers=headers, json=event).status_code == repairs
    assert client.get("/api/audit", headers=bearer(key + "x")).status_code == 401


def test_keys_created_before_roles_only_post_repair_events(service: Service) -> None:
    from bot.access import apikeys

    with service.database.engine.begin() as connection:
        created = apikeys.create_key(connection, "repairs-system", service.engine.clock())
    assert created.info.role == "repairs"
    client = client_for(service)
    client.headers.update(bearer(created.key))
    assert client.get("/api/tenants").status_code == 403
    assert client.get("/api/exports/csv", params=EXPORT).status_code == 403
