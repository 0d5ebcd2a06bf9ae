"""Signing in and out: JSON and console login, lockout, CSRF, session expiry, secrets."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.access.user_models import ConsoleSession, User
from bot.access.users import Role
from bot.service import Service
from bot.settings import Settings
from bot.storage.models import table
from tests.support.auth import PASSWORD, add_key, add_user, bearer, client_for, sign_in
from tests.support.services import Clock

WRONG = "The email address or password is not right. Check them and try again."


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
    for _ in range(4):
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    locked = client.post("/api/auth/login", json=wrong)
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("This account is locked after too many wrong")
    assert "Try again in 15 minutes" in locked.json()["detail"]
    assert locked.headers["Retry-After"] == "901"
    # While locked, even the right password is refused.
    right = {"email": "olive@example.org", "password": PASSWORD}
    clock.advance(minutes=14)
    refused = client.post("/api/auth/login", json=right)
    assert refused.status_code == 429 and "Try again in 1 minute," in refused.json()["detail"]
    clock.advance(minutes=1, seconds=1)
    assert client.post("/api/auth/login", json=right).status_code == 200
    with service.database.engine.connect() as connection:
        row = connection.execute(select(table(User))).one()
    assert row.failed_logins == 0 and row.locked_until is None


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
        "password": "wrong password",
    }
    wrong = client.post("/console/login", data=form)
    assert wrong.status_code == 401
    assert 'role="alert"' in wrong.text and "The email address or password is not right" in (
        wrong.text
    )
    assert 'value="olive@example.org"' in wrong.text  # the email is kept, never the password
    assert "wrong password" not in wrong.text
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
    Settings(environment="production", secret_key="k" * 40)
    Settings(environment="development")  # the development value is fine for development
