"""`POST /webhooks/email/bounce`: a provider's bounce report marks the address failed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.outreach.email_addresses import ensure_identity
from bot.service import Service
from tests.support.campaigns import add_tenant
from tests.support.email import email_identity
from tests.support.webchat import make_app

TOKEN = "bounce-token-for-tests-0123456789"
DSN = b"""From: MAILER-DAEMON@mail.example.net
To: surveys@riverside.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Arrival-Date: Mon, 2 Nov 2026 10:00:00 +0000

Final-Recipient: rfc822; Gone@Example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected

Final-Recipient: rfc822; slow@example.org
Action: delayed
Status: 4.4.1

--BOUNDARY--
"""


@pytest.fixture
def client(service: Service) -> TestClient:
    service.settings.email_webhook_token = SecretStr(TOKEN)
    addresses = ("gone@example.org", "slow@example.org", "x@example.org")
    tenants = [add_tenant(service, f"T{number}") for number in range(len(addresses))]
    with service.database.engine.begin() as connection:
        for tenant, address in zip(tenants, addresses, strict=True):
            ensure_identity(connection, tenant, address, service.engine.clock())
    return TestClient(make_app(service))


def test_a_delivery_status_report_marks_only_the_failed_recipient(
    client: TestClient, service: Service
) -> None:
    response = client.post(
        "/webhooks/email/bounce",
        content=DSN,
        headers={"authorization": f"Bearer {TOKEN}", "content-type": "multipart/report"},
    )
    assert response.status_code == 200 and response.json() == {"reported": 1, "marked_failed": 1}
    gone = email_identity(service, "gone@example.org")
    assert gone.failed_at is not None and "5.1.1" in gone.failed_reason
    assert "@" not in gone.failed_reason  # a sentence for officers, without the address
    assert email_identity(service, "slow@example.org").failed_at is None


def test_a_provider_json_report_marks_the_address_and_a_wrong_token_is_refused(
    client: TestClient, service: Service
) -> None:
    body = {"address": "X@example.org", "reason": "mailbox full for months"}
    wrong = client.post("/webhooks/email/bounce", json=body, headers={"authorization": "Bearer no"})
    assert wrong.status_code == 401
    assert email_identity(service, "x@example.org").failed_at is None
    response = client.post(
        "/webhooks/email/bounce", json=body, headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert response.json() == {"reported": 1, "marked_failed": 1}
    assert "mailbox full" in email_identity(service, "x@example.org").failed_reason
    unreadable = client.post(
        "/webhooks/email/bounce", json={"who": 1}, headers={"authorization": f"Bearer {TOKEN}"}
    )
    assert unreadable.status_code == 422
