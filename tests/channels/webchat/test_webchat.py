"""The web chat over HTTP (TestClient), on SQLite and PostgreSQL: guards, invites, answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.engine.messages import InboundMessage as InboundMessageIn
from bot.outreach.invites import find_invite, invite_url
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import InboundRecord, OutboundRecord, Session, table
from channels.registry import build_channels
from channels.webchat.channel import CHANNEL
from tests.support.services import Clock
from tests.support.webchat import (
    ANONYMOUS_YAML,
    after_of,
    count,
    csrf_of,
    current_answers,
    invite_for,
    make_app,
    new_tenant,
)


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    service.registry.add_text(ANONYMOUS_YAML, "street_feedback.yaml")
    yield TestClient(make_app(service), follow_redirects=True)


def reply(client: TestClient, html: str, text: str, **extra: str) -> str:
    response = client.post(
        "/chat/reply",
        data={"csrf": csrf_of(html), "after": after_of(html), "reply": text, **extra},
    )
    assert response.status_code == 200, response.text
    return response.text


def start(client: TestClient, questionnaire: str = "street_feedback", language: str = "en") -> str:
    page = client.get("/chat").text
    response = client.post(
        "/chat/start",
        data={"csrf": csrf_of(page), "questionnaire": questionnaire, "language": language},
    )
    assert response.status_code == 200, response.text
    return response.text


def test_page_sets_a_private_session_cookie_and_strict_headers(client: TestClient) -> None:
    response = client.get("/chat")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "doorstep_chat=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # the test service runs on http
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    assert '<html lang="en" dir="ltr">' in response.text
    assert "https://" not in response.text.split("<footer")[0]  # no third-party assets


def test_cookie_is_secure_behind_https(service: Service, settings: Settings) -> None:
    service.settings = settings.model_copy(update={"public_base_url": "https://chat.example"})
    response = TestClient(make_app(service)).get("/chat")
    assert "secure" in response.headers["set-cookie"].lower()


def test_reply_without_a_valid_csrf_token_is_refused(client: TestClient, service: Service) -> None:
    page = start(client)
    for token in ("", "0" * 64):
        response = client.post(
            "/chat/reply", data={"csrf": token, "after": after_of(page), "reply": "yes"}
        )
        assert response.status_code == 403
        assert "This page had expired, so nothing was sent." in response.text
    # A token from another browser's session does not work either.
    stranger = TestClient(make_app(service))
    response = stranger.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": "yes"}
    )
    assert response.status_code == 403
    assert count(service, InboundRecord) == 0


def test_rate_limit_per_session_then_a_new_minute(
    service: Service, settings: Settings, clock: Clock
) -> None:
    service.settings = settings.model_copy(update={"webchat_rate_per_minute": 3})
    service.registry.add_text(ANONYMOUS_YAML, "street_feedback.yaml")
    client = TestClient(make_app(service))
    page = start(client)  # the start is the first post of this minute
    page = reply(client, page, "maybe")
    page = reply(client, page, "perhaps")
    response = client.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": "yes"}
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Please wait a minute" in response.text
    clock.advance(minutes=1)
    assert "Is your street clean?" in reply(client, page, "yes")


def test_rate_limit_per_ip_covers_every_session(service: Service, settings: Settings) -> None:
    service.settings = settings.model_copy(update={"webchat_rate_per_minute": 2})
    service.registry.add_text(ANONYMOUS_YAML, "street_feedback.yaml")
    app = make_app(service)
    first, second = TestClient(app), TestClient(app)  # two browsers behind one address
    start(first)
    start(second)
    page = second.get("/chat").text
    response = second.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": "yes"}
    )
    assert response.status_code == 429


def test_oversized_and_malformed_posts_get_friendly_4xx(
    client: TestClient, service: Service
) -> None:
    page = start(client)
    form = {"csrf": csrf_of(page), "after": after_of(page)}
    too_long = client.post("/chat/reply", data={**form, "reply": "x" * 1001})
    assert too_long.status_code == 413
    assert "Please keep it under 1000 characters." in too_long.text
    huge = client.post("/chat/reply", data={**form, "reply": "x" * 20_000})
    assert huge.status_code == 413
    empty = client.post("/chat/reply", data={**form, "reply": "   "})
    assert empty.status_code == 422
    bad_after = client.post("/chat/reply", data={**form, "after": "1e9", "reply": "yes"})
    assert bad_after.status_code == 422
    not_a_form = client.post("/chat/reply", json={"reply": "yes"})
    assert not_a_form.status_code == 415
    broken = client.post(
        "/chat/reply",
        content=b"reply=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert broken.status_code == 400
    bad_language = client.post("/chat/language", data={"csrf": form["csrf"], "language": "xx"})
    assert bad_language.status_code == 422
    for response in (too_long, huge, empty, bad_after, not_a_form, broken, bad_language):
        assert "Traceback" not in response.text and "<h1>Sorry</h1>" in response.text
    assert count(service, InboundRecord) == 0


def test_json_errors_for_the_script(client: TestClient) -> None:
    page = start(client)
    response = client.post(
        "/chat/reply",
        data={"csrf": csrf_of(page), "after": after_of(page), "reply": "x" * 1001},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": "That answer is too long. Please keep it under 1000 characters."
    }


def test_only_anonymous_questionnaires_are_open_to_everyone(
    client: TestClient, service: Service
) -> None:
    page = client.get("/chat").text
    assert 'value="street_feedback"' in page
    assert 'value="post_repair"' not in page  # needs a personal link outside a demo
    assert "please use that link instead" in page
    refused = client.post(
        "/chat/start", data={"csrf": csrf_of(page), "questionnaire": "post_repair"}
    )
    assert refused.status_code == 404
    assert "This survey cannot be answered here." in refused.text
    # Typing a keyword without a conversation starts nothing: the page offers the list again.
    response = client.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": "0", "reply": "REPAIR"}
    )
    assert response.status_code == 200 and 'value="street_feedback"' in response.text
    assert count(service, InboundRecord) == 0 and count(service, Session) == 0


def test_development_offers_every_questionnaire(service: Service, settings: Settings) -> None:
    service.settings = settings.model_copy(update={"environment": "development"})
    page = TestClient(make_app(service)).get("/chat").text
    for questionnaire in ("post_repair", "tsm_perception", "communication_preferences"):
        assert f'value="{questionnaire}"' in page


def test_anonymous_conversation_completes_and_rows_are_displayed_not_sent(
    client: TestClient, service: Service
) -> None:
    page = start(client)
    assert "Do you agree to take part?" in page
    page = reply(client, page, "Yes")
    assert "Is your street clean?" in page
    assert 'name="reply" value="1"' in page and "Clean</button>" in page
    page = reply(client, page, "1")
    assert "You said:" in page and '<p dir="auto">Clean</p>' in page  # the label, not "1"
    page = reply(client, page, "Lovely trees")
    assert "Thank you, that is everything." in page
    assert 'id="reply"' not in page  # no reply form once it has ended
    assert 'value="street_feedback"' not in page  # other surveys only when asked for
    assert 'href="/chat?more=1"' in page
    assert 'value="street_feedback"' in client.get("/chat?more=1").text
    assert current_answers(service) == {"street_clean": 1, "street_comment": "Lovely trees"}
    outbox = table(OutboundRecord)
    with service.database.engine.connect() as connection:
        statuses = set(connection.execute(select(outbox.c.status)).scalars())
    assert statuses == {"displayed"}
    assert CHANNEL not in build_channels(service.settings).senders()


def test_a_double_post_is_recorded_once(client: TestClient, service: Service) -> None:
    page = start(client)
    form = {"csrf": csrf_of(page), "after": after_of(page), "reply": "yes"}
    client.post("/chat/reply", data=form)
    client.post("/chat/reply", data=form)  # the same form again (double click, resend)
    assert count(service, InboundRecord) == 1


def test_script_gets_new_messages_as_fragments(client: TestClient) -> None:
    page = start(client)
    response = client.post(
        "/chat/reply",
        data={"csrf": csrf_of(page), "after": after_of(page), "reply": "yes"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    body = response.json()
    assert "Is your street clean?" in body["messages"]
    assert "Do you agree" not in body["messages"]  # only what is new
    assert "You said:" in body["messages"]
    assert 'value="1"' in body["controls"] and (body["lang"], body["dir"]) == ("en", "ltr")


def test_multiple_choice_ticks_are_sent_together(service: Service, settings: Settings) -> None:
    service.settings = settings.model_copy(update={"environment": "development"})
    client = TestClient(make_app(service))
    page = start(client, "all_types")
    for text in ("yes", "1", "2", "12.50", "01/02/2020"):
        page = reply(client, page, text)
    assert 'type="checkbox"' in page and "Any communication needs?" in page
    response = client.post(
        "/chat/reply",
        data={"csrf": csrf_of(page), "after": after_of(page), "choice": ["1", "3"]},
    )
    assert "Which language for the interpreter?" in response.text
    assert current_answers(service)["needs"] == [1, 3]


def test_language_menu_switches_the_conversation_to_arabic(client: TestClient) -> None:
    page = start(client)
    assert 'lang="ar"' in page  # the menu offers the questionnaire's languages
    response = client.post("/chat/language", data={"csrf": csrf_of(page), "language": "ar"})
    page = response.text
    assert '<html lang="ar" dir="rtl">' in page
    assert "الإجابات مجهولة الهوية." in page  # the consent request again, in Arabic
    page = reply(client, page, "نعم")
    assert "هل شارعك نظيف؟" in page
    # Error pages speak the conversation's language too.
    empty = client.post(
        "/chat/reply", data={"csrf": csrf_of(page), "after": after_of(page), "reply": ""}
    )
    assert empty.status_code == 422
    assert '<html lang="ar" dir="rtl">' in empty.text
    assert "يرجى كتابة إجابة قبل الإرسال." in empty.text


def test_language_chosen_before_starting_is_used(client: TestClient) -> None:
    page = client.get("/chat?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in page
    client.post("/chat/language", data={"csrf": csrf_of(page), "language": "ar"})
    page = start(client, language="ar")
    assert '<html lang="ar" dir="rtl">' in page and "شارعك" in page


def test_invite_starts_resumes_and_is_then_used(client: TestClient, service: Service) -> None:
    tenant = new_tenant(service)
    token = invite_for(service, tenant)
    assert invite_url(service.settings, token) == f"http://127.0.0.1:8000/chat/{token}"
    page = client.get(f"/chat/{token}").text
    assert "Repair follow-up" in page and "Do you agree to take part?" in page
    page = reply(client, page, "yes")
    # The same link in another browser resumes the tenant's conversation there.
    other = TestClient(make_app(service))
    resumed = other.get(f"/chat/{token}").text
    assert "your recent repair?" in resumed
    for text in ("1", "yes", "yes", "1", "Great work"):
        page = reply(client, page, text)
    assert "Your answers have been saved." in page
    answers = current_answers(service)
    assert answers["repair_overall"] == 1 and answers["comment"] == "Great work"
    sessions = table(Session)
    with service.database.engine.connect() as connection:
        owners = set(connection.execute(select(sessions.c.respondent_id)).scalars())
        found = find_invite(connection, token, service.engine.clock())
    assert owners == {tenant} and found.used
    # Used and answered: this browser sees its transcript, a new one a friendly note.
    again = client.get(f"/chat/{token}")
    assert again.status_code == 200 and "Your answers have been saved." in again.text
    third = TestClient(make_app(service)).get(f"/chat/{token}")
    assert third.status_code == 410
    assert "This link has already been used." in third.text


def test_unknown_and_expired_invites_get_friendly_pages(
    client: TestClient, service: Service, clock: Clock
) -> None:
    unknown = client.get("/chat/not-a-real-invite-token")
    assert unknown.status_code == 404
    assert "We could not find this link." in unknown.text
    token = invite_for(service, new_tenant(service), days=1)
    clock.advance(days=2)
    expired = client.get(f"/chat/{token}")
    assert expired.status_code == 410
    assert "This link has expired." in expired.text
    assert client.get("/chat/" + "x" * 300).status_code == 404
    assert count(service, Session) == 0


def test_invite_follows_the_tenants_language(client: TestClient, service: Service) -> None:
    token = invite_for(service, new_tenant(service, language="ur"))
    page = client.get(f"/chat/{token}").text
    assert '<html lang="ur" dir="rtl">' in page
    assert "مرمت" in page


def test_an_unexpected_failure_gets_a_reference_and_logs_nothing_personal(
    client: TestClient,
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = start(client)

    def broken(inbound: InboundMessageIn) -> None:
        raise RuntimeError(f"database said: parameters ({inbound.text!r},)")

    monkeypatch.setattr(service.engine, "handle", broken)
    response = client.post(
        "/chat/reply",
        data={"csrf": csrf_of(page), "after": after_of(page), "reply": "my secret answer"},
    )
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side." in response.text and "Ref: " in response.text
    assert "Traceback" not in response.text and "my secret answer" not in response.text
    assert "RuntimeError" in caplog.text and "my secret answer" not in caplog.text
