"""Signing in and out: JSON and console login, lockout, CSRF, session expiry, secrets."""

from __future__ import annotations

import datetime
import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from bot.access import signin
from bot.access.user_models import ConsoleSession, User
from bot.access.users import Role
from bot.outreach.webchat_models import WebChatRate
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import table
from tests.support.auth import PASSWORD, add_key, add_user, bearer, client_for, sign_in
from tests.support.services import Clock

WRONG = (
    "That email address and password do not match, or the account is locked for a while "
    "after too many wrong passwords. Try again in 15 minutes, or ask an administrator to "
    "reset the password."
)


def test_login_starts_a_session_that_me_reports(service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    response = client.post(
        "/api/auth/login", json={"email": " Olive@Example.org ", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["role"] == "officer" and body["user"]["email"] == "olive@example.org"
    assert "password" not in str(body) and "hash" not in str(body)
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("doorstep_console="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    me = client.get("/api/me").json()
    assert me == {
        "kind": "user",
        "id": body["user"]["id"],
        "name": "olive@example.org",
        "role": "officer",
        "can_export_identifiable": False,
        "sees_contact_details": True,
        "csrf_token": body["csrf_token"],
    }
    # Only a hash of the session token is stored.
    token = client.cookies["doorstep_console"]
    with service.database.engine.connect() as connection:
        stored = connection.execute(select(table(ConsoleSession).c.token_hash)).scalar_one()
    assert token not in stored and len(stored) == 64


def test_wrong_password_and_unknown_email_get_the_same_sentence(service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    for email in ("olive@example.org", "nobody@example.org", "not an email"):
        response = client.post("/api/auth/login", json={"email": email, "password": "nope"})
        assert response.status_code == 401
        assert response.json() == {"detail": WRONG}
    assert client.get("/api/me").status_code == 401


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    service: Service, clock: Clock
) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    wrong = {"email": "olive@example.org", "password": "wrong password"}
    for _ in range(5):
        response = client.post("/api/auth/login", json=wrong)
        assert response.status_code == 401 and response.json() == {"detail": WRONG}
    with service.database.engine.connect() as connection:
        row = connection.execute(select(table(User))).one()
    assert row.locked_until == clock() + datetime.timedelta(minutes=15)
    # While locked, even the right password is refused, with the same answer as a typo.
    right = {"email": "olive@example.org", "password": PASSWORD}
    clock.advance(minutes=14)
    refused = client.post("/api/auth/login", json=right)
    assert refused.status_code == 401 and refused.json() == {"detail": WRONG}
    assert "Retry-After" not in refused.headers
    clock.advance(minutes=1, seconds=1)
    assert client.post("/api/auth/login", json=right).status_code == 200
    with service.database.engine.connect() as connection:
        row = connection.execute(select(table(User))).one()
    assert row.failed_logins == 0 and row.locked_until is None


def _lock(client: TestClient, email: str) -> None:
    for _ in range(5):
        client.post("/api/auth/login", json={"email": email, "password": "wrong password"})


def test_a_locked_account_an_unknown_email_and_a_wrong_password_look_alike(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    add_user(service, "locked@example.org", Role.OFFICER)
    client = client_for(service)
    _lock(client, "locked@example.org")
    hashed: list[str | None] = []
    real_verify = signin.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        hashed.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(signin, "verify_password", counting)
    attempts = {
        "locked, right password": ("locked@example.org", PASSWORD),
        "locked, wrong password": ("locked@example.org", "wrong password"),
        "unknown email": ("nobody@example.org", PASSWORD),
        "wrong password": ("olive@example.org", "wrong password"),
    }
    answers = {}
    for name, (email, password) in attempts.items():
        before = len(hashed)
        response = client.post("/api/auth/login", json={"email": email, "password": password})
        answers[name] = (response.status_code, response.text, response.headers.get("Retry-After"))
        assert len(hashed) == before + 1, name  # one argon2 check each: no timing tell
    assert set(answers.values()) == {
        (401, json.dumps({"detail": WRONG}, separators=(",", ":")), None)
    }
    # The console form answers the same way for all of them too.
    pages = {_console_attempt(client, email, password) for email, password in attempts.values()}
    assert pages == {(401, WRONG)}


def _console_attempt(client: TestClient, email: str, password: str) -> tuple[int, str]:
    csrf = _CSRF.search(client.get("/console/login").text)
    assert csrf is not None
    response = client.post(
        "/console/login", data={"csrf": csrf[1], "email": email, "password": password}
    )
    alert = re.search(r'role="alert".*?<p>([^<]+)</p>', response.text, re.DOTALL)
    assert alert is not None, response.text
    return response.status_code, html.unescape(alert[1].strip())


def _service_with(service: Service, **changes: object) -> Service:
    settings = service.settings.model_copy(update=changes)
    return Service(settings, service.database, service.registry, service.engine)


def test_one_address_gets_a_limited_number_of_failures(service: Service, clock: Clock) -> None:
    limited = _service_with(service, login_max_failures_per_address=3)
    add_user(limited, "olive@example.org", Role.OFFICER)
    client = client_for(limited)
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        wrong = client.post("/api/auth/login", json={"email": email, "password": "guess 1"})
        assert wrong.status_code == 401
    right = {"email": "olive@example.org", "password": PASSWORD}
    refused = client.post("/api/auth/login", json=right)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many sign-in attempts have come from your")
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    status, sentence = _console_attempt(client, "olive@example.org", PASSWORD)
    assert status == 429 and sentence.startswith("Too many sign-in attempts")
    # Another address is not held up, and the account itself was never locked.
    elsewhere = TestClient(client.app, client=("198.51.100.7", 40000))
    assert elsewhere.post("/api/auth/login", json=right).status_code == 200
    clock.advance(minutes=15)
    assert client.post("/api/auth/login", json=right).status_code == 200


def test_the_address_counter_is_in_the_database(service: Service, clock: Clock) -> None:
    limited = _service_with(service, login_max_failures_per_address=2)
    first, second = client_for(limited), client_for(limited)  # two workers, one database
    wrong = {"email": "nobody@example.org", "password": "guess 1"}
    assert first.post("/api/auth/login", json=wrong).status_code == 401
    assert second.post("/api/auth/login", json=wrong).status_code == 401
    assert first.post("/api/auth/login", json=wrong).status_code == 429
    with service.database.engine.connect() as connection:
        keys = connection.execute(select(table(WebChatRate).c.key)).scalars().all()
    assert len(keys) == 1 and keys[0].startswith("login:") and "testclient" not in keys[0]


def test_a_right_password_resets_the_failure_count(service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    wrong = {"email": "olive@example.org", "password": "wrong password"}
    for _ in range(4):
        client.post("/api/auth/login", json=wrong)
    sign_in(client, "olive@example.org")
    for _ in range(4):
        assert client.post("/api/auth/login", json=wrong).status_code == 401


def test_cookie_requests_that_change_state_need_the_csrf_token(service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    csrf = sign_in(client, "olive@example.org")
    assert client.cookies["doorstep_csrf"] == csrf
    missing = client.post("/api/auth/logout")
    assert missing.status_code == 403
    assert missing.json()["detail"].startswith("The form or request is missing its security")
    wrong = client.post("/api/auth/logout", headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert client.get("/api/me").status_code == 200  # still signed in
    done = client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 204
    assert client.get("/api/me").status_code == 401
    with service.database.engine.connect() as connection:
        assert connection.execute(select(table(ConsoleSession))).all() == []


def test_api_key_requests_need_no_csrf_token_and_win_over_a_cookie(service: Service) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    key = add_key(service, "analyst", "reporting")
    client = client_for(service)
    sign_in(client, "olive@example.org")
    me = client.get("/api/me", headers=bearer(key)).json()
    assert me["kind"] == "apikey" and me["role"] == "analyst" and me["csrf_token"] is None
    assert client.get("/api/me", headers={"X-API-Key": key}).json()["name"] == "reporting"
    assert client.post("/api/auth/logout", headers=bearer(key)).status_code == 204
    bad = client.get("/api/me", headers=bearer(key[:-2] + "xx"))
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"] == "Bearer"


def test_sessions_expire_and_end_when_the_user_is_disabled(service: Service, clock: Clock) -> None:
    from bot.access.users import set_disabled

    add_user(service, "olive@example.org", Role.OFFICER)
    add_user(service, "admin@example.org", Role.ADMIN)
    client = client_for(service)
    sign_in(client, "olive@example.org")
    clock.advance(hours=11, minutes=59)
    assert client.get("/api/me").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/api/me").status_code == 401
    sign_in(client, "olive@example.org")
    with service.database.engine.begin() as connection:
        set_disabled(connection, email="olive@example.org", disabled=True, now=clock())
    assert client.get("/api/me").status_code == 401
    refused = client.post(
        "/api/auth/login", json={"email": "olive@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("This account has been disabled.")


def test_login_wants_json_and_refuses_nonsense_with_4xx(service: Service) -> None:
    client = client_for(service)
    form = client.post(
        "/api/auth/login",
        content=b'{"email": "a@b.org", "password": "x"}',
        headers={"Content-Type": "text/plain"},
    )
    assert form.status_code == 415
    for body in ({}, {"email": "a@b.org"}, {"email": "a@b.org", "password": "x" * 2000}):
        assert client.post("/api/auth/login", json=body).status_code == 422
    surrogate = client.post(
        "/api/auth/login",
        content=b'{"email": "a\\ud800@b.org", "password": "x\\u0000"}',
        headers={"Content-Type": "application/json"},
    )
    assert surrogate.status_code == 422


_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def test_console_login_form_signs_in_and_redirects_to_the_page_asked_for(
    service: Service,
) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    page = client.get("/console/login", params={"next": "/console/campaigns?state=live"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    html = page.text
    assert '<html lang="en">' in html and 'href="#main"' in html
    assert '<label for="email">' in html and '<label for="password">' in html
    csrf = _CSRF.search(html)
    assert csrf is not None
    form = {
        "csrf": csrf[1],
        "next": "/console/campaigns?state=live",
        "email": "olive@example.org",
        "password": "not my password 7",
    }
    wrong = client.post("/console/login", data=form)
    assert wrong.status_code == 401
    assert 'role="alert"' in wrong.text and "That email address and password do not match" in (
        wrong.text
    )
    assert 'value="olive@example.org"' in wrong.text  # the email is kept, never the password
    assert "not my password 7" not in wrong.text
    signed_in = client.post(
        "/console/login", data={**form, "password": PASSWORD}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/campaigns?state=live"
    me = client.get("/api/me").json()
    assert me["name"] == "olive@example.org"
    out = client.post("/console/logout", data={"csrf": me["csrf_token"]}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert client.get("/api/me").status_code == 401


def test_console_login_refuses_a_form_from_elsewhere_and_open_redirects(
    service: Service,
) -> None:
    add_user(service, "olive@example.org", Role.OFFICER)
    client = client_for(service)
    forged = client.post(
        "/console/login",
        data={"csrf": "0" * 64, "email": "olive@example.org", "password": PASSWORD},
    )
    assert forged.status_code == 403 and "The sign-in form had expired" in forged.text
    assert client.get("/api/me").status_code == 401
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = client.get("/console/login", params={"next": target})
        csrf = _CSRF.search(page.text)
        assert csrf is not None and 'name="next" value="/console/"' in page.text
        response = client.post(
            "/console/login",
            data={"csrf": csrf[1], "next": target, "email": "olive@example.org",
                  "password": PASSWORD},
            follow_redirects=False,
        )  # fmt: skip
        assert response.headers["location"] == "/console/"
    huge = client.post(
        "/console/login",
        content=b"email=" + b"a" * 20_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 413


def test_signing_out_of_the_console_when_signed_out_goes_to_the_login_page(
    service: Service,
) -> None:
    client = client_for(service)
    response = client.post("/console/logout", data={"csrf": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_production_refuses_development_and_short_secrets() -> None:
    with pytest.raises(ValidationError, match="development value"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="too short"):
        Settings(environment="production", secret_key="short-secret")
    Settings(
        environment="production",
        secret_key="q8ZfT1vKx3mN7pLw2RbY9cHs5JdGe0Ua4XoVi6Ek",
        public_base_url="https://survey.example.org",
    )
    Settings(environment="development")  # the development value is fine for development
