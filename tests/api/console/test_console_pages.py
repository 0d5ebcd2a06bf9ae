"""Console pages as a product: the tenants list, language names, error pages, audit words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.access import users
from bot.service import Service
from tests.support.auth import add_user, client_for, sign_in
from tests.support.campaigns import add_tenant, phone


@pytest.fixture
def client(service: Service) -> TestClient:
    return client_for(service)


def as_role(client: TestClient, service: Service, role: users.Role) -> str:
    email = f"{role.value}@example.org"
    add_user(service, email, role)
    return sign_in(client, email)


def test_the_tenants_list_shows_everyone_in_pages_and_filters(
    client: TestClient, service: Service
) -> None:
    for number in range(30):
        add_tenant(service, f"T-{number:03d}", sms=phone(number) if number % 2 else None,
                   language="ur" if number < 3 else "en")  # fmt: skip
    as_role(client, service, users.Role.OFFICER)
    first = client.get("/console/tenants")
    assert "Tenants 1 to 25 of 30" in first.text
    assert "T-000" in first.text and "T-025" not in first.text
    assert "Next page" in first.text
    second = client.get("/console/tenants", params={"page": 2})
    assert "Tenants 26 to 30 of 30" in second.text and "T-029" in second.text
    urdu = client.get("/console/tenants", params={"language": "ur"})
    assert "of 3," in urdu.text
    assert '<span lang="ur" dir="rtl">اردو</span> (Urdu)' in urdu.text
    reachable = client.get("/console/tenants", params={"channel": "sms", "language": "ur"})
    assert "Tenants 1 to 1 of 1" in reachable.text and "T-001" in reachable.text
    assert "No tenant matches" in client.get("/console/tenants", params={"q": "zzz"}).text


def test_the_tenant_page_links_admins_to_data_rights(client: TestClient, service: Service) -> None:
    add_tenant(service, "T-1", sms=phone(1))
    as_role(client, service, users.Role.ADMIN)
    assert "/console/tenants/T-1/data-rights" in client.get("/console/tenants/T-1").text
    officer = client_for(service)
    as_role(officer, service, users.Role.OFFICER)
    assert "data-rights" not in officer.get("/console/tenants/T-1").text


def test_questionnaire_menus_name_languages_in_their_own_script(
    client: TestClient, service: Service
) -> None:
    as_role(client, service, users.Role.OFFICER)
    menu = client.get("/console/questionnaires").text
    assert '<option value="cy">Cymraeg (Welsh)</option>' in menu
    assert ">cy<" not in menu


def test_channels_are_named_in_words_on_every_console_page(
    client: TestClient, service: Service
) -> None:
    """An officer reads "Web chat" and "SMS", never the stored codes "webchat" or "sms"."""
    add_tenant(service, "T-1", sms=phone(1))
    as_role(client, service, users.Role.OFFICER)
    menu = client.get("/console/questionnaires").text
    assert '<option value="webchat">Web chat</option>' in menu
    assert '<option value="sms">SMS</option>' in menu
    assert ">webchat<" not in menu and ">sms<" not in menu
    assert '<span class="visually-hidden">Repair follow-up</span>' in menu  # not its id
    preview = client.get(
        "/console/questionnaires/post_repair", params={"language": "en", "channel": "webchat"}
    ).text
    assert "on <strong>Web chat</strong>" in preview and ">webchat<" not in preview
    assert "(one choice, must be answered)" in preview and "select_one" not in preview
    for page in ("/console/tenants", "/console/tenants/T-1"):
        shown = client.get(page).text
        assert "SMS" in shown and ">sms<" not in shown and ">sms " not in shown, page


def test_errors_on_console_pages_are_pages_in_the_layout(
    client: TestClient, service: Service
) -> None:
    as_role(client, service, users.Role.ANALYST)
    forbidden = client.get("/console/campaigns/new")
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("text/html")
    assert "Your role does not allow this page" in forbidden.text
    assert 'class="nav"' in forbidden.text  # the console's navigation
    missing = client.get("/console/no-such-page")
    assert missing.status_code == 404 and "There is no such page" in missing.text
    malformed = client.get("/console/campaigns/not-a-number")
    assert malformed.status_code == 404 and "<h1>" in malformed.text
    unknown = client.get("/console/campaigns/999")
    assert unknown.status_code == 404 and "<h1>" in unknown.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {
        "detail": "There is nothing at this address; the API's addresses are listed at /docs."
    }


def test_the_audit_log_names_campaign_actions_in_words(
    client: TestClient, service: Service
) -> None:
    csrf = as_role(client, service, users.Role.ADMIN)
    created = client.post(
        "/console/campaigns",
        data={
            "csrf": csrf,
            "name": "Audited",
            "questionnaire": "post_repair",
            "starts_at": "2026-11-03T09:00",
            "use_preferences": "1",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    path = created.headers["location"].split("?")[0]
    client.post(f"{path}/schedule", data={"csrf": csrf})
    client.post(f"{path}/pause", data={"csrf": csrf})
    client.post(f"{path}/cancel", data={"csrf": csrf})
    log = client.get("/console/audit").text
    for words in ("Created a campaign", "Scheduled a campaign", "Cancelled a campaign"):
        assert words in log
    assert "campaign_create" not in log.split("<table")[1]
    only = client.get("/console/audit", params={"action": "campaign_schedule"}).text
    assert "Scheduled a campaign" in only and "Cancelled a campaign</td>" not in only


def test_the_exports_form_checks_filters_and_hands_over_to_the_streaming_download(
    client: TestClient, service: Service
) -> None:
    as_role(client, service, users.Role.ANALYST)
    shown = client.get("/console/exports")
    assert shown.status_code == 200
    assert "for officers an administrator has allowed; analysts never get them" in shown.text
    assert "Your account may not." in shown.text
    assert 'name="identifiable"' not in shown.text
    form = {"download": "1", "questionnaire": "post_repair", "version": "", "campaign": "",
            "date_from": "2026-11-01", "date_to": "", "channel": "sms", "language": "cy",
            "segment": "", "completed": "true", "format": "xlsx"}  # fmt: skip
    handed = client.get("/console/exports", params=form, follow_redirects=False)
    assert handed.status_code == 303
    assert handed.headers["location"] == (
        "/api/exports/xlsx?questionnaire=post_repair&date_from=2026-11-01&channel=sms"
        "&language=cy&completed=true"
    )
    download = client.get(handed.headers["location"])
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    wrong = client.get("/console/exports", params={**form, "date_to": "yesterday"})
    assert wrong.status_code == 422 and "To: give a date such as 2026-11-02." in wrong.text
    refused = client.get("/console/exports", params={**form, "identifiable": "true"})
    assert refused.status_code == 422 and "may not download identifiable data" in refused.text
