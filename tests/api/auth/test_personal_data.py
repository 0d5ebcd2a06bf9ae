"""Who sees what: analysts get no free text anywhere, and every view of personal data (and
every refused attempt at identifiable data) leaves a row in the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.access.audit import list_audit
from bot.access.users import Role
from bot.service import Service
from tests.support.auth import add_key, add_tenant, add_user, bearer, client_for, sign_in
from tests.support.concerns import answer_post_repair

SENTENCE = "Damp again, ring Ann Example on 07700 900456 after six"
PHONE = "07700 900456"
NOTE = "Rang Ann on 07700 900456; visit booked for Tuesday."


@pytest.fixture
def client(service: Service) -> TestClient:
    return client_for(service)


def _entries(service: Service, action: str) -> list[dict[str, Any]]:
    with service.database.engine.connect() as connection:
        page = list_audit(connection, action=action, limit=500)
    return [entry.as_json() for entry in page.entries]


def _signed_in(service: Service, role: Role) -> TestClient:
    email = f"{role.value}@example.org"
    add_user(service, email, role)
    client = client_for(service)
    client.headers["X-CSRF-Token"] = sign_in(client, email)
    return client


def test_an_analysts_concern_list_holds_no_free_text(client: TestClient, service: Service) -> None:
    answer_post_repair(service, "5", SENTENCE)
    officer = bearer(add_key(service, "officer", "officer-key"))
    listed = client.get("/api/concerns", headers=officer).json()
    comment = next(c for c in listed if c["question"] == "comment")
    assert comment["answer"] == SENTENCE  # officers keep the tenant's words
    closed = client.post(f"/api/concerns/{comment['id']}/close", json={"note": NOTE},
                         headers=officer)  # fmt: skip
    assert closed.status_code == 200
    analyst = client.get("/api/concerns", headers=bearer(add_key(service, "analyst", "ana")))
    assert analyst.status_code == 200
    for secret in (SENTENCE, PHONE, "Ann Example", "07700", "Rang Ann"):
        assert secret not in analyst.text, secret
    # The count and why each concern was raised are still there.
    body = analyst.json()
    assert {(c["question"], c["reason"], c["answer_withheld"]) for c in body} == {
        ("repair_overall", "answer: Very dissatisfied", False),
        ("comment", "words: damp", True),
    }
    assert next(c for c in body if c["question"] == "repair_overall")["answer"] == (
        "Very dissatisfied"
    )
    # Only the officer's views (which held the words) were audited.
    views = _entries(service, "view_concerns")
    assert [(e["who"]["name"], e["row_count"]) for e in views] == [("officer-key", 2)]
    assert views[0]["filters"] == {"via": "api", "status": "all", "tenants": []}


def test_the_console_concerns_page_hides_free_text_from_analysts(service: Service) -> None:
    answer_post_repair(service, "5", SENTENCE)
    analyst = _signed_in(service, Role.ANALYST)
    page = analyst.get("/console/concerns")
    assert page.status_code == 200
    assert "words: damp" in page.text and PHONE not in page.text and "Ann Example" not in page.text
    assert "the tenant's own words are for officers only" in page.text
    officer = _signed_in(service, Role.OFFICER)
    assert "Ann Example" in officer.get("/console/concerns").text
    views = _entries(service, "view_concerns")
    assert [(e["who"]["name"], e["filters"]["via"]) for e in views] == [
        ("officer@example.org", "console")
    ]


def test_tenant_searches_are_audited_without_the_search_term(
    client: TestClient, service: Service
) -> None:
    add_tenant(service, "T-1", phone="+447700900123")
    add_tenant(service, "T-12", phone="+447700900999")
    officer = bearer(add_key(service, "officer", "officer-key"))
    found = client.get("/api/tenants", params={"q": "t-"}, headers=officer)
    assert found.status_code == 200 and "+447700900123" in found.text
    client.get("/api/tenants", params={"q": "T-12"}, headers=officer)
    client.get("/api/tenants", headers=officer)  # the list of everyone
    searches = _entries(service, "search_tenants")
    assert [(e["filters"]["searched_for"], e["filters"]["tenants"], e["row_count"])
            for e in reversed(searches)] == [
        ("part of a reference, area or estate", ["T-1", "T-12"], 2),
        ("a tenant reference", ["T-12"], 1),
        ("everyone", ["T-1", "T-12"], 2),
    ]  # fmt: skip
    assert all(e["who"]["name"] == "officer-key" and e["target"] == "tenants" for e in searches)
    assert all(e["filters"]["via"] == "api" and e["filters"]["contact_details"] for e in searches)
    logged = json.dumps(searches)
    assert "+4477" not in logged and "Ann Example" not in logged and "t-" not in logged


def test_console_tenant_search_and_analyst_searches_are_audited(service: Service) -> None:
    add_tenant(service, "T-5")
    officer = _signed_in(service, Role.OFFICER)
    assert "+447700900123" in officer.get("/console/tenants", params={"q": "T-5"}).text
    analyst = bearer(add_key(service, "analyst", "ana"))
    assert officer.get("/api/tenants", params={"q": "T-5"}, headers=analyst).status_code == 200
    searches = _entries(service, "search_tenants")
    assert {(e["who"]["name"], e["filters"]["via"], e["filters"]["contact_details"])
            for e in searches} == {
        ("officer@example.org", "console", True),
        ("ana", "api", False),
    }  # fmt: skip


def test_a_refused_identifiable_export_is_audited(client: TestClient, service: Service) -> None:
    analyst = bearer(add_key(service, "analyst", "ana"))
    query = {"questionnaire": "post_repair", "identifiable": "true"}
    assert client.get("/api/exports/csv", params=query, headers=analyst).status_code == 403
    assert client.get("/api/exports/codebook.json", params=query, headers=analyst).status_code == (
        403
    )
    refused = _entries(service, "export_refused")
    assert {(e["target"], e["filters"]["format"], e["row_count"]) for e in refused} == {
        ("responses", "csv", 0),
        ("codebook", "codebook.json", 0),
    }
    assert all(e["who"]["name"] == "ana" and e["filters"]["identifiable"] for e in refused)
    assert _entries(service, "export") == []


def test_viewing_repair_jobs_is_audited(client: TestClient, service: Service) -> None:
    officer = bearer(add_key(service, "officer", "officer-key"))
    assert client.get("/api/repairs", headers=officer).json() == []
    (entry,) = _entries(service, "view_repairs")
    assert entry["filters"] == {"via": "api", "state": "all", "tenants": []}


def test_the_questionnaire_list_needs_sign_in(client: TestClient, service: Service) -> None:
    anonymous = client.get("/api/questionnaires")
    assert anonymous.status_code == 401 and anonymous.json()["detail"].endswith(".")
    listed = client.get("/api/questionnaires", headers=bearer(add_key(service, "analyst", "ana")))
    assert listed.status_code == 200 and "post_repair" in {q["id"] for q in listed.json()}
    assert client.get("/chat").status_code == 200  # the web chat does not need the list


def test_analyst_exports_withhold_free_text_and_the_codebook_says_so(
    client: TestClient, service: Service
) -> None:
    answer_post_repair(service, "5", SENTENCE)
    analyst = bearer(add_key(service, "analyst", "ana"))
    query = {"questionnaire": "post_repair"}
    for fmt in ("csv", "xlsx", "parquet", "sav"):
        export = client.get(f"/api/exports/{fmt}", params=query, headers=analyst)
        assert export.status_code == 200 and PHONE.encode() not in export.content, fmt
    codebook = client.get("/api/exports/codebook.json", params=query, headers=analyst).json()
    assert "comment" not in {v["source_question"] for v in codebook["variables"]}
    (withheld,) = codebook["withheld"]
    assert withheld["source_question"] == "comment" and withheld["question_type"] == "text"
    assert withheld["reason"].startswith("Free text (typed answers and dates) is left out")
    admin = bearer(add_key(service, "admin", "dpo"))
    full = client.get("/api/exports/codebook.json", params={**query, "identifiable": "true"},
                      headers=admin).json()  # fmt: skip
    assert full["withheld"] == [] and "comment" in {v["source_question"] for v in full["variables"]}
