"""The officers' JSON API and console pages: roles, campaigns, tenants, concerns, uploads."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.access import users
from bot.access.audit import list_audit
from bot.service import Service
from tests.support.auth import add_key, add_tenant, add_user, bearer, client_for, sign_in
from tests.support.concerns import answer_post_repair
from tests.support.services import FIXTURES, Clock

PROBLEM_LINE = re.compile(r"^broken\.yaml:\d+:\d+: [^:]+: .+ — .+$")


@pytest.fixture
def client(service: Service) -> TestClient:
    return client_for(service)


@pytest.fixture
def officer(service: Service) -> dict[str, str]:
    return bearer(add_key(service, "officer", "officer-key"))


@pytest.fixture
def analyst(service: Service) -> dict[str, str]:
    return bearer(add_key(service, "analyst", "analyst-key"))


def spec(clock: Clock, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Winter check-in",
        "questionnaire": "post_repair",
        "starts_at": (clock.now + datetime.timedelta(hours=1)).isoformat(),
        "days": "mon-sun",
        "hours": "08:00-21:00",
    }
    data.update(changes)
    return data


def test_requests_without_credentials_get_401(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/campaigns"),
        ("POST", "/api/campaigns"),
        ("GET", "/api/campaigns/1/progress"),
        ("GET", "/api/tenants?q=T"),
        ("GET", "/api/tenants/T-1"),
        ("POST", "/api/tenants/import"),
        ("GET", "/api/concerns"),
        ("POST", "/api/concerns/1/close"),
        ("GET", "/api/repairs"),
        ("POST", "/api/questionnaires"),
        ("GET", "/api/questionnaires/post_repair/preview"),
    ]:
        assert client.request(method, path).status_code == 401, path
    page = client.get("/console/campaigns", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/console/login?next=/console/campaigns")


def test_an_analyst_cannot_create_campaigns_or_see_phone_numbers(
    client: TestClient,
    service: Service,
    clock: Clock,
    analyst: dict[str, str],
    officer: dict[str, str],
) -> None:
    add_tenant(service, "T-1", phone="+447700900123")
    refused = client.post("/api/campaigns", json=spec(clock), headers=analyst)
    assert refused.status_code == 403
    assert client.get("/api/campaigns", headers=analyst).json() == []
    found = client.get("/api/tenants", params={"q": "t-1"}, headers=analyst)
    assert found.status_code == 200
    assert [t["tenant_ref"] for t in found.json()] == ["T-1"]
    assert "+447700900123" not in found.text and "Ann Example" not in found.text
    assert found.json()[0]["channels"] == [
        {"channel": "sms", "opted_out": False, "opted_out_at": None}
    ]
    assert client.get("/api/tenants/T-1", headers=analyst).status_code == 403
    assert client.get("/api/repairs", headers=analyst).status_code == 403
    officer_view = client.get("/api/tenants", params={"q": "T-1"}, headers=officer)
    assert officer_view.json()[0]["channels"][0]["address"] == "+447700900123"


def test_an_officer_creates_edits_schedules_and_stops_a_campaign(
    client: TestClient, service: Service, clock: Clock, officer: dict[str, str]
) -> None:
    created = client.post("/api/campaigns", json=spec(clock), headers=officer)
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["state"] == "draft"
    path = f"/api/campaigns/{campaign['id']}"
    edited = client.patch(path, json={"reminders": 2, "hours": "09:00-18:00"}, headers=officer)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["reminders"], edited.json()["hours"]) == (2, "09:00-18:00")
    assert client.post(f"{path}/schedule", headers=officer).json()["state"] == "scheduled"
    late_edit = client.patch(path, json={"reminders": 0}, headers=officer)
    assert late_edit.status_code == 409
    assert "only a draft can" in late_edit.json()["detail"]
    assert client.post(f"{path}/pause", headers=officer).json()["state"] == "paused"
    assert client.post(f"{path}/resume", headers=officer).json()["state"] == "scheduled"
    assert client.post(f"{path}/cancel", headers=officer).json()["state"] == "cancelled"
    again = client.post(f"{path}/resume", headers=officer)
    assert again.status_code == 409 and "cannot be resumed" in again.json()["detail"]
    progress = client.get(f"{path}/progress", headers=officer).json()
    assert progress["channels"]["all"]["targeted"] == 0
    assert client.get("/api/campaigns/999999/progress", headers=officer).status_code == 404


def test_campaign_problems_come_back_as_sentences(
    client: TestClient, clock: Clock, officer: dict[str, str]
) -> None:
    bad = client.post(
        "/api/campaigns", json=spec(clock, questionnaire="nope", hours="9 to 5"), headers=officer
    )
    assert bad.status_code == 422
    assert any("hours" in line or "9 to 5" in line for line in bad.json()["detail"])
    unknown = client.post("/api/campaigns", json=spec(clock, questionnaire="nope"), headers=officer)
    assert unknown.status_code == 422
    assert "no questionnaire 'nope' is loaded" in unknown.json()["detail"][0]
    assert client.post("/api/campaigns", content=b"[", headers=officer).status_code == 400
    # Editing a draft is held to the same checks, in the same words.
    draft = client.post("/api/campaigns", json=spec(clock), headers=officer).json()
    edited = client.patch(
        f"/api/campaigns/{draft['id']}", json={"questionnaire": "nope"}, headers=officer
    )
    assert edited.status_code == 422
    assert edited.json()["detail"] == unknown.json()["detail"]
    far = client.post(
        "/api/campaigns", json=spec(clock, starts_at="0001-01-01T00:30:00+01:00"), headers=officer
    )
    assert far.status_code == 422
    assert far.json()["detail"] == ["The start or end time is too far in the past or future."]


def test_viewing_a_tenant_is_audited(
    client: TestClient, service: Service, officer: dict[str, str]
) -> None:
    add_tenant(service, "T-7")
    profile = client.get("/api/tenants/T-7", headers=officer)
    assert profile.status_code == 200
    body = profile.json()
    assert body["name"] == "Ann Example"
    assert body["channels"][0]["address"] == "+447700900123"
    assert body["consents"] == [] and body["sessions"] == []
    with service.database.engine.connect() as connection:
        entries = list_audit(connection).entries
    assert [(e.action, e.target, e.principal_name, e.row_count) for e in entries] == [
        ("view_tenant", "tenant:T-7", "officer-key", 1)
    ]
    assert client.get("/api/tenants/T-404", headers=officer).status_code == 404


def test_concerns_are_acknowledged_and_closed_with_a_note(
    client: TestClient, service: Service, officer: dict[str, str], analyst: dict[str, str]
) -> None:
    answer_post_repair(service, "5", "There is damp in the bedroom")
    listed = client.get("/api/concerns", params={"status": "open"}, headers=officer).json()
    assert {(c["question"], c["answer"], c["reason"]) for c in listed} == {
        ("repair_overall", "Very dissatisfied", "answer: Very dissatisfied"),
        ("comment", "There is damp in the bedroom", "words: damp"),
    }
    assert all("tenant_ref" in c for c in listed)
    assert all("tenant_ref" not in c for c in client.get("/api/concerns", headers=analyst).json())
    first = listed[0]["id"]
    assert client.post(f"/api/concerns/{first}/acknowledge", headers=analyst).status_code == 403
    assert client.post(f"/api/concerns/{first}/acknowledge", headers=officer).status_code == 200
    again = client.post(f"/api/concerns/{first}/acknowledge", headers=officer)
    assert again.status_code == 409
    no_note = client.post(f"/api/concerns/{first}/close", json={"note": ""}, headers=officer)
    assert no_note.status_code == 422
    closed = client.post(
        f"/api/concerns/{first}/close",
        json={"note": "Called back; visit booked."},
        headers=officer,
    )
    assert closed.status_code == 200
    done = client.get("/api/concerns", params={"status": "closed"}, headers=officer).json()
    assert [(c["id"], c["note"], c["closed_by"]) for c in done] == [
        (first, "Called back; visit booked.", "officer-key")
    ]
    assert (
        client.post("/api/concerns/424242/close", json={"note": "x"}, headers=officer).status_code
        == 404
    )


def test_an_upload_with_errors_returns_the_validator_lines(
    client: TestClient, officer: dict[str, str]
) -> None:
    broken = (FIXTURES / "broken.yaml").read_bytes()
    response = client.post(
        "/api/questionnaires",
        files={"file": ("broken.yaml", broken, "application/yaml")},
        headers=officer,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["lines"] and all(PROBLEM_LINE.match(line) for line in body["lines"]), body
    first = body["problems"][0]
    assert {"file", "line", "column", "question", "message", "fix"} <= set(first)


def test_a_valid_upload_is_loaded_in_memory_only(
    client: TestClient, service: Service, officer: dict[str, str], tmp_path: Path
) -> None:
    text = (FIXTURES / "all_types.yaml").read_text(encoding="utf-8")
    text = text.replace("id: all_types", "id: uploaded_survey", 1)
    assert "uploaded_survey" in text
    response = client.post(
        "/api/questionnaires?filename=uploaded.yaml",
        content=text.encode(),
        headers={**officer, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["saved"] is False
    assert "not saved to disk" in response.json()["detail"]
    listed = client.get("/api/questionnaires", headers=officer).json()
    assert "uploaded_survey" in {q["id"] for q in listed}
    assert not any(service.settings.questionnaires_dir.glob("uploaded*"))


def _upload_easy_read(client: TestClient, officer: dict[str, str], text: str) -> Any:
    return client.post(
        "/api/questionnaires?filename=pictures.yaml",
        content=text.replace("id: post_repair_easy_read", "id: uploaded_pictures", 1).encode(),
        headers={**officer, "Content-Type": "application/yaml"},
    )


def test_an_uploaded_questionnaires_pictures_are_checked_and_shown_as_at_start_up(
    client: TestClient, service: Service, officer: dict[str, str]
) -> None:
    """Pictures are looked for in the questionnaires folder, as when the service starts:
    a picture that is there is served to the chat; one that is not is refused with a
    sentence, instead of a broken image in front of the tenant."""
    text = (service.settings.questionnaires_dir / "post_repair_easy_read.yaml").read_text(
        encoding="utf-8"
    )
    loaded = _upload_easy_read(client, officer, text)
    assert loaded.status_code == 201, loaded.text
    picture = client.get("/chat/pictures/uploaded_pictures/images/thumbs_up.svg")
    assert picture.status_code == 200
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert picture.content.lstrip().startswith(b"<svg")

    missing = text.replace("images/thumbs_up.svg", "images/no_such_picture.svg", 1)
    refused = _upload_easy_read(client, officer, missing)
    assert refused.status_code == 422
    (problem,) = [p for p in refused.json()["problems"] if "no_such_picture" in p["message"]]
    assert "does not exist" in problem["message"] and problem["fix"]


def test_preview_shows_sms_segments_and_buttons(
    client: TestClient, officer: dict[str, str], analyst: dict[str, str]
) -> None:
    sms = client.get(
        "/api/questionnaires/post_repair/preview",
        params={"language": "en", "channel": "sms"},
        headers=analyst,
    ).json()
    overall = next(q for q in sms["questions"] if q["name"] == "repair_overall")
    assert overall["encoding"] == "GSM-7" and overall["segments"] >= 1
    assert "1 Very satisfied" in overall["text"]
    assert sms["total_segments"] == sum(q["segments"] for q in sms["questions"])
    welsh = client.get(
        "/api/questionnaires/post_repair/preview",
        params={"language": "pa", "channel": "sms"},
        headers=officer,
    ).json()
    assert {q["encoding"] for q in welsh["questions"]} == {"UCS-2"}
    telegram = client.get(
        "/api/questionnaires/post_repair/preview",
        params={"channel": "telegram"},
        headers=officer,
    ).json()
    buttons = next(q for q in telegram["questions"] if q["name"] == "repair_overall")["buttons"]
    assert buttons[0] == {"reply": "1", "label": "Very satisfied"}
    wrong = client.get(
        "/api/questionnaires/post_repair/preview", params={"language": "xx"}, headers=officer
    )
    assert wrong.status_code == 422 and "it has:" in wrong.json()["detail"]


def test_tenant_import_returns_row_errors(
    client: TestClient, officer: dict[str, str], analyst: dict[str, str]
) -> None:
    csv = b"Tenant Ref,Mobile,Area\nT-100,07700 900100,North\n,07700 900101,South\n"
    files = {"file": ("tenants.csv", csv, "text/csv")}
    assert client.post("/api/tenants/import", files=files, headers=analyst).status_code == 403
    result = client.post("/api/tenants/import", files=files, headers=officer)
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["created"], body["refused"]) == (1, 1)
    assert body["errors"][0]["row"] == 3
    found = client.get("/api/tenants", params={"q": "north"}, headers=officer).json()
    assert [(t["tenant_ref"], t["area"]) for t in found] == [("T-100", "North")]
    odd = client.post(
        "/api/tenants/import", files={"file": ("x.pdf", b"%PDF", "a/b")}, headers=officer
    )
    assert odd.status_code == 422


def test_a_cookie_session_needs_the_csrf_token(
    client: TestClient, service: Service, clock: Clock
) -> None:
    add_user(service, "officer@example.org", users.Role.OFFICER)
    token = sign_in(client, "officer@example.org")
    assert client.post("/api/campaigns", json=spec(clock)).status_code == 403
    made = client.post("/api/campaigns", json=spec(clock), headers={"X-CSRF-Token": token})
    assert made.status_code == 201


def test_console_pages_for_each_role(client: TestClient, service: Service, clock: Clock) -> None:
    add_user(service, "analyst@example.org", users.Role.ANALYST)
    add_user(service, "admin@example.org", users.Role.ADMIN)
    add_tenant(service, "T-9")
    answer_post_repair(service, "5", "fine")
    sign_in(client, "analyst@example.org")
    for path in (
        "/console/",
        "/console/campaigns",
        "/console/questionnaires",
        "/console/questionnaires/post_repair?language=cy&channel=sms",
        "/console/tenants?q=T-9",
        "/console/concerns",
        "/console/exports",
    ):
        assert client.get(path).status_code == 200, path
    assert "+447700900123" not in client.get("/console/tenants?q=T-9").text
    assert client.get("/console/campaigns/new").status_code == 403
    assert client.get("/console/audit").status_code == 403
    assert "Acknowledge concern" not in client.get("/console/concerns").text
    client.cookies.clear()
    csrf = sign_in(client, "admin@example.org")
    concerns = client.get("/api/concerns").json()
    page = client.get("/console/concerns")
    assert f"Acknowledge concern {concerns[0]['id']}" in page.text
    done = client.post(
        f"/console/concerns/{concerns[0]['id']}/close",
        data={"csrf": csrf, "note": "Rang the tenant.", "status": "open"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "was+closed" in done.headers["location"]
    assert client.get("/console/tenants/T-9").status_code == 200
    audit_page = client.get("/console/audit")
    assert audit_page.status_code == 200 and "tenant:T-9" in audit_page.text
