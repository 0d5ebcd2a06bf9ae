"""Helpers for the API tests: the app under a test client, users, keys, signing in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import insert

from api.app import create_app
from bot.access import apikeys, users
from bot.service import Service
from bot.storage.models import ChannelIdentity, Respondent, table
from channels.registry import build_channels

PASSWORD = "correct horse battery staple"


def client_for(service: Service) -> TestClient:
    app = create_app(service.settings, service, build_channels(service.settings), background=False)
    return TestClient(app)


def add_user(
    service: Service,
    email: str,
    role: users.Role,
    *,
    identifiable: bool = False,
    password: str = PASSWORD,
) -> users.UserInfo:
    with service.database.engine.begin() as connection:
        return users.create_user(
            connection,
            email=email,
            password=password,
            role=role,
            now=service.engine.clock(),
            can_export_identifiable=identifiable,
        )


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign the client in (its cookie jar keeps the session); returns the CSRF token."""
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def add_key(service: Service, role: str, name: str | None = None) -> str:
    with service.database.engine.begin() as connection:
        created = apikeys.create_key(
            connection, name or f"{role}-system", service.engine.clock(), role=role
        )
    return created.key


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def add_tenant(service: Service, tenant_ref: str, phone: str = "+447700900123") -> int:
    with service.database.engine.begin() as connection:
        respondent_id = int(
            connection.execute(
                insert(table(Respondent))
                .values(tenant_ref=tenant_ref, name="Ann Example", timezone="Europe/London")
                .returning(table(Respondent).c.id)
            ).scalar_one()
        )
        connection.execute(
            insert(table(ChannelIdentity)).values(
                respondent_id=respondent_id, channel="sms", address=phone
            )
        )
    return respondent_id
