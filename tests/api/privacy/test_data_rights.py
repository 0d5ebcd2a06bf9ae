"""Admin endpoints: subject access and erasure (both audited), and the audit log itself."""

from __future__ import annotations

import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.access.audit import audit
from bot.access.users import Principal, Role
from bot.service import Service
from bot.storage.models import ChannelIdentity, Erasure, Respondent, table
from tests.support.auth import add_key, add_tenant, add_user, bearer, client_for, sign_in
from tests.support.services import Clock

PHONE = "+447700900123"


def _admin(service: Service) -> TestClient:
    add_user(service, "admin@example.org", Role.ADMIN)
    client = client_for(service)
    client.headers["X-CSRF-Token"] = sign_in(client, "admin@example.org")
    return client


def test_subject_access_returns_everything_held_and_is_audited(service: Service) -> None:
    add_tenant(service, "T-1", PHONE)
    client = _admin(service)
    response = client.get("/api/tenants/T-1/subject-access")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="subject-access-T-1.json"' in response.headers["Content-Disposition"]
    report = response.json()
    assert report["tenant_ref"] == "T-1" and report["respondent"]["name"] == "Ann Example"
    assert [row["address"] for row in report["channel_identities"]] == [PHONE]
    listed = client.get("/api/audit").json()
    assert listed["total"] == 1
    (entry,) = listed["entries"]
    assert entry["action"] == "subject_access" and entry["target"] == "tenant:T-1"
    assert entry["who"] == {"kind": "user", "id": 1, "name": "admin@example.org", "role": "admin"}
    assert entry["row_count"] == 2  # the tenant's record and one phone number
    assert PHONE not in str(entry)


def test_erasure_needs_confirmation_removes_personal_data_and_is_audited(
    service: Service,
) -> None:
    respondent_id = add_tenant(service, "T-1", PHONE)
    client = _admin(service)
    unconfirmed = client.post("/api/tenants/T-1/erase", json={"confirm": "T-2"})
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["detail"].startswith("To confirm the erasure, send the tenant")
    assert client.post("/api/tenants/T-1/erase", json={}).status_code == 422
    erased = client.post("/api/tenants/T-1/erase", json={"confirm": "T-1"})
    assert erased.status_code == 200
    assert erased.json() == {"erased": True, "rows_deleted": 1, "answers_kept": 0, "cases_kept": 0}
    with service.database.engine.connect() as connection:
        respondent = connection.execute(
            select(table(Respondent)).where(table(Respondent).c.id == respondent_id)
        ).one()
        assert respondent.name is None and respondent.tenant_ref is None
        assert connection.execute(select(table(ChannelIdentity))).all() == []
        (requested_by,) = connection.execute(select(table(Erasure).c.requested_by)).one()
    assert requested_by == "user:admin@example.org"
    (entry,) = client.get("/api/audit", params={"action": "erasure"}).json()["entries"]
    assert entry["target"] == "tenant:T-1" and entry["row_count"] == 1
    # The tenant is gone: both endpoints now answer 404.
    assert client.get("/api/tenants/T-1/subject-access").status_code == 404
    gone = client.post("/api/tenants/T-1/erase", json={"confirm": "T-1"})
    assert gone.status_code == 404
    assert gone.json() == {"detail": "No tenant with the reference 'T-1' is known."}


def test_unknown_tenants_get_404_and_nothing_is_audited(service: Service) -> None:
    client = _admin(service)
    assert client.get("/api/tenants/T-404/subject-access").status_code == 404
    assert client.post("/api/tenants/T-404/erase", json={"confirm": "T-404"}).status_code == 404
    assert client.get("/api/tenants/T%00/subject-access").status_code == 404
    assert client.get("/api/audit").json()["total"] == 0


def test_only_admins_reach_subject_access_erasure_and_the_audit_log(service: Service) -> None:
    add_tenant(service, "T-1", PHONE)
    for role in (Role.OFFICER, Role.ANALYST):
        email = f"{role.value}@example.org"
        add_user(service, email, role, identifiable=role is Role.OFFICER)
        client = client_for(service)
        client.headers["X-CSRF-Token"] = sign_in(client, email)
        assert client.get("/api/tenants/T-1/subject-access").status_code == 403
        assert client.post("/api/tenants/T-1/erase", json={"confirm": "T-1"}).status_code == 403
        assert client.get("/api/audit").status_code == 403
    admin_key = add_key(service, "admin", "dpo-tools")
    client = client_for(service)
    client.headers.update(bearer(admin_key))
    assert client.get("/api/tenants/T-1/subject-access").status_code == 200
    (entry,) = client.get("/api/audit").json()["entries"]
    assert entry["who"]["kind"] == "apikey" and entry["who"]["name"] == "dpo-tools"


def test_the_audit_log_filters_and_pages(service: Service, clock: Clock) -> None:
    analyst = Principal("user", 7, "ana@example.org", Role.ANALYST, False)
    officer = Principal("user", 8, "olive@example.org", Role.OFFICER, False)
    start = clock()
    with service.database.engine.begin() as connection:
        for day in range(5):
            when = start + datetime.timedelta(days=day)
            filters = {"format": "csv", "from": datetime.date(2026, 1, day + 1)}
            audit(connection, analyst, "export", "responses", filters, 10 + day, at=when)
            audit(connection, officer, "view_tenant", f"tenant:T-{day}", {}, 1, at=when)
    client = _admin(service)
    everything = client.get("/api/audit").json()
    assert everything["total"] == 10
    assert everything["entries"][0]["at"] > everything["entries"][-1]["at"]  # newest first
    exports = client.get("/api/audit", params={"action": "export", "limit": 2, "offset": 1}).json()
    assert exports["total"] == 5
    assert [entry["row_count"] for entry in exports["entries"]] == [13, 12]
    assert exports["entries"][0]["filters"] == {"format": "csv", "from": "2026-01-04"}
    by_who = client.get("/api/audit", params={"who": "olive@example.org"}).json()
    assert {entry["action"] for entry in by_who["entries"]} == {"view_tenant"}
    window = client.get(
        "/api/audit",
        params={"since": (start + datetime.timedelta(days=1)).isoformat(),
                "until": "2026-11-05T10:00:00"},  # no offset: read as UTC
    ).json()  # fmt: skip
    assert window["total"] == 4
    target = client.get("/api/audit", params={"target": "tenant:T-3"}).json()
    assert target["total"] == 1
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"since": "yesterday"},
                {"who": "a\x00b"}, {"since": "0001-01-01T00:00:00+05:00"}):  # fmt: skip
        assert client.get("/api/audit", params=bad).status_code == 422, bad


def test_the_console_data_rights_page_erases_after_confirmation(service: Service) -> None:
    add_tenant(service, "T-1", PHONE)
    client = _admin(service)
    csrf = client.headers.pop("X-CSRF-Token")
    page = client.get("/console/tenants/T-1/data-rights")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'href="/api/tenants/T-1/subject-access"' in page.text
    assert '<label for="confirm">' in page.text and f'value="{csrf}"' in page.text
    forged = client.post("/console/tenants/T-1/erase", data={"confirm": "T-1"})
    assert forged.status_code == 403
    typo = client.post("/console/tenants/T-1/erase", data={"csrf": csrf, "confirm": "T-I"})
    assert typo.status_code == 422 and "did not match T-1" in typo.text
    assert 'aria-invalid="true"' in typo.text
    with service.database.engine.connect() as connection:
        assert connection.execute(select(table(ChannelIdentity))).all() != []
    done = client.post("/console/tenants/T-1/erase", data={"csrf": csrf, "confirm": "T-1"})
    assert done.status_code == 200
    assert "has been erased: 1 record removed, 0 coded answers kept" in " ".join(done.text.split())
    with service.database.engine.connect() as connection:
        assert connection.execute(select(table(ChannelIdentity))).all() == []
    (entry,) = client.get("/api/audit", params={"action": "erasure"}).json()["entries"]
    assert entry["filters"] == {"via": "console"} and entry["row_count"] == 1
    again = client.get("/console/tenants/T-1/data-rights")
    assert again.status_code == 404 and "No tenant with the reference T-1 is known" in again.text


def test_the_data_rights_page_is_for_signed_in_admins_only(service: Service) -> None:
    add_tenant(service, "T-1", PHONE)
    client = client_for(service)
    anonymous = client.get("/console/tenants/T-1/data-rights", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/console/login?next=/console/tenants/T-1/data-rights"
    add_user(service, "olive@example.org", Role.OFFICER, identifiable=True)
    csrf = sign_in(client, "olive@example.org")
    assert client.get("/console/tenants/T-1/data-rights").status_code == 403
    refused = client.post("/console/tenants/T-1/erase", data={"csrf": csrf, "confirm": "T-1"})
    assert refused.status_code == 403
