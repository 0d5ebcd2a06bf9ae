"""The one-time setup link for the first admin: once, until it expires, while no one exists."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.access import setup
from bot.access.users import Role, find_user
from bot.service import Service
from bot.storage.tables import SETUP_TOKENS
from tests.support.auth import PASSWORD, add_user
from tests.support.services import Clock


def issue(service: Service) -> str:
    with service.database.engine.begin() as connection:
        token = setup.issue_setup_token(connection, service.engine.clock())
    assert token is not None
    return token


def create(service: Service, token: str, email: str = "first@example.org") -> str:
    with service.database.engine.begin() as connection:
        user = setup.create_first_admin(
            connection, token, email=email, password=PASSWORD, now=service.engine.clock()
        )
    return user.email


def test_a_setup_link_creates_one_admin_and_then_is_gone(service: Service) -> None:
    token = issue(service)
    with service.database.engine.connect() as connection:
        stored = connection.execute(select(SETUP_TOKENS.c.token_hash)).scalars().all()
    assert stored and token not in stored  # only a hash is kept

    assert create(service, token) == "first@example.org"
    with service.database.engine.connect() as connection:
        admin = find_user(connection, email="first@example.org")
        assert admin is not None and admin.role is Role.ADMIN
        assert connection.execute(select(func.count()).select_from(SETUP_TOKENS)).scalar() == 0
    with pytest.raises(setup.SetupRefused, match="already exists"):
        create(service, token, "second@example.org")


def test_a_setup_link_expires(service: Service, clock: Clock) -> None:
    token = issue(service)
    clock.advance(minutes=59)
    with service.database.engine.connect() as connection:
        setup.check_setup_token(connection, token, clock())  # still good
    clock.advance(minutes=2)
    with pytest.raises(setup.SetupRefused, match="expired"):
        create(service, token)


def test_no_link_is_issued_or_honoured_once_a_user_exists(service: Service) -> None:
    token = issue(service)
    add_user(service, "officer@example.org", Role.OFFICER)
    with service.database.engine.begin() as connection:
        assert setup.issue_setup_token(connection, service.engine.clock()) is None
    with pytest.raises(setup.SetupRefused, match="already exists"):
        create(service, token)


def test_a_wrong_token_or_a_weak_password_creates_nobody(service: Service) -> None:
    token = issue(service)
    with pytest.raises(setup.SetupRefused, match="not valid"):
        create(service, "not-the-token")
    with service.database.engine.begin() as connection, pytest.raises(ValueError, match="12"):
        setup.create_first_admin(
            connection,
            token,
            email="a@example.org",
            password="short",
            now=service.engine.clock(),
        )
    assert create(service, token) == "first@example.org"  # the link survived both
