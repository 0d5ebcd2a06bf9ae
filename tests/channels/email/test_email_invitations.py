"""Email invitations end to end on SQLite and PostgreSQL: a campaign writes the email, the
dispatcher hands it to a local SMTP server (aiosmtpd), the personal link opens the tenant's
survey, a reminder follows, one-click unsubscribe and a 550 stop the next campaign."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from bot.service import Service
from tests.support.campaigns import add_tenant, create, outbox, progress, targets, tick
from tests.support.email import (
    EMAIL_CHANNELS,
    add_email_tenant,
    dispatch,
    email_identity,
    email_service,
    link_token,
    parts,
)
from tests.support.fakes.smtp import FakeSmtp
from tests.support.services import Clock
from tests.support.webchat import make_app


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server:
        yield server


@pytest.fixture
def mailer(service: Service, smtp: FakeSmtp, clock: Clock) -> Service:
    return email_service(service, smtp, clock)


def test_invitation_email_opens_the_survey_and_one_reminder_follows(
    mailer: Service, smtp: FakeSmtp, clock: Clock
) -> None:
    add_email_tenant(mailer, "T1", "Tenant.One@Example.org", language="cy")
    campaign = create(mailer, clock, reminders=1, reminder_interval_hours=48)
    assert tick(mailer, clock, available=EMAIL_CHANNELS).invited == 1
    (row,) = outbox(mailer)
    assert row.channel == "email" and row.address == "tenant.one@example.org"
    assert dispatch(mailer, clock).sent == 1

    (mail,) = smtp.messages
    assert mail["To"] == "tenant.one@example.org"
    assert mail["From"] == "Riverside Homes <surveys@riverside.example>"
    assert "Riverside Homes" in mail["Subject"] and mail["Content-Language"] == "cy"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mailto, https = (item.strip(" <>") for item in mail["List-Unsubscribe"].split(","))
    assert mailto.startswith("mailto:surveys@riverside.example?subject=unsubscribe%20")
    assert https.startswith("http://127.0.0.1:8000/email/unsubscribe/")
    assert unquote(mailto).endswith(https.rsplit("/", 1)[1])
    text, html = parts(mail)
    assert '<html lang="cy" dir="ltr">' in html and "<img" not in html
    token = link_token(text)
    assert f'href="http://127.0.0.1:8000/chat/{token}"' in html
    assert "Dechrau&#x27;r arolwg" in html or "Dechrau'r arolwg" in html  # the link's words
    (target,) = targets(mailer, campaign)
    assert target.channel == "email" and target.via_link
    assert progress(mailer, campaign)["email (web chat link)"]["sent"] == 1

    clock.advance(hours=72)  # no answer yet: one reminder
    tick(mailer, clock, available=EMAIL_CHANNELS)
    assert dispatch(mailer, clock).sent == 1
    reminder = smtp.messages[-1]
    assert reminder["Subject"] != mail["Subject"] and link_token(parts(reminder)[0]) != token

    # The first link still opens this tenant's survey in the web chat, in Welsh.
    page = TestClient(make_app(mailer), follow_redirects=True).get(f"/chat/{token}")
    assert page.status_code == 200 and '<html lang="cy"' in page.text
    assert "Dilyniant atgyweirio" in page.text and "cytuno" in page.text
    clock.advance(hours=72)
    tick(mailer, clock, available=EMAIL_CHANNELS)
    assert dispatch(mailer, clock).sent == 0 and len(smtp.messages) == 2


def test_one_click_unsubscribe_opts_the_address_out_and_the_next_campaign_skips_it(
    mailer: Service, smtp: FakeSmtp, clock: Clock
) -> None:
    add_email_tenant(mailer, "T1", "tenant@example.org")
    create(mailer, clock, reminders=0)
    tick(mailer, clock, available=EMAIL_CHANNELS)
    dispatch(mailer, clock)
    https = smtp.messages[0]["List-Unsubscribe"].split(",")[1].strip(" <>")
    path = https.removeprefix("http://127.0.0.1:8000")
    client = TestClient(make_app(mailer))

    shown = client.get(path)  # link scanners GET: a page with a button, nothing changes
    assert shown.status_code == 200 and "<button" in shown.text and 'lang="en"' in shown.text
    assert email_identity(mailer, "tenant@example.org").opted_out_at is None
    forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
    assert client.post(forged, content=b"List-Unsubscribe=One-Click").status_code == 404
    done = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "will not send survey emails" in done.text
    assert email_identity(mailer, "tenant@example.org").opted_out_at is not None

    campaign = create(mailer, clock, reminders=0, name="Winter check-in")
    report = tick(mailer, clock, available=EMAIL_CHANNELS)
    assert report.invited == 0
    (target,) = targets(mailer, campaign)
    assert target.status == "skipped"
    assert "email: the email address was unsubscribed from survey emails" in target.skip_reason


def test_a_550_refusal_marks_the_address_failed_and_the_next_campaign_skips_it(
    mailer: Service, smtp: FakeSmtp, clock: Clock
) -> None:
    add_email_tenant(mailer, "T1", "gone@example.org")
    smtp.refuse("gone@example.org")
    create(mailer, clock, reminders=0)
    tick(mailer, clock, available=EMAIL_CHANNELS)
    stats = dispatch(mailer, clock)
    assert stats.failed == 1 and smtp.messages == []
    identity = email_identity(mailer, "gone@example.org")
    assert identity.failed_at is not None and "SMTP 550" in identity.failed_reason
    (row,) = outbox(mailer)
    assert row.status == "failed" and "gone@" not in (row.error or "")

    campaign = create(mailer, clock, reminders=0, name="Winter check-in")
    tick(mailer, clock, available=EMAIL_CHANNELS)
    (target,) = targets(mailer, campaign)
    assert target.status == "skipped" and "email address failed" in target.skip_reason


def test_a_temporary_refusal_is_retried(mailer: Service, smtp: FakeSmtp, clock: Clock) -> None:
    add_email_tenant(mailer, "T1", "busy@example.org")
    smtp.refuse("busy@example.org", "451 4.3.0 Try again later")
    create(mailer, clock, reminders=0)
    tick(mailer, clock, available=EMAIL_CHANNELS)
    assert dispatch(mailer, clock).retried == 1
    assert email_identity(mailer, "busy@example.org").failed_at is None
    smtp.handler.refuse.clear()
    clock.advance(minutes=5)
    assert dispatch(mailer, clock).sent == 1 and len(smtp.messages) == 1


def test_a_campaign_whose_channels_list_email_invites_by_email_without_a_preference(
    mailer: Service, smtp: FakeSmtp, clock: Clock
) -> None:
    add_tenant(mailer, "T1", attributes={"email": "quiet@example.org"})
    plain = create(mailer, clock, reminders=0)
    tick(mailer, clock, available=EMAIL_CHANNELS)
    (skipped,) = targets(mailer, plain)
    assert skipped.status == "skipped"  # email is not in the default fallback order
    listed = create(mailer, clock, reminders=0, name="Email allowed", channels=["sms", "email"])
    tick(mailer, clock, available=EMAIL_CHANNELS)
    (target,) = targets(mailer, listed)
    assert target.status == "invited" and target.channel == "email"
    assert dispatch(mailer, clock).sent == 1 and smtp.messages[0]["To"] == "quiet@example.org"
