"""The first administrator, made in the browser through a one-time setup link.

While no user exists, `doorstep serve` asks for a link: 256 random bits, kept only as a
SHA-256 (the token is random, so a fast hash gives nothing away) and shown only in the
server's own output. Whoever can read that output may create the first admin; once any user
exists every link is gone and none is issued again.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from sqlalchemy import Connection, delete, exists, insert, select

from bot.access.users import (
    Role,
    UserInfo,
    check_password_rules,
    create_user,
    normalise_email,
)
from bot.storage.tables import SETUP_TOKENS, USERS

SETUP_LINK_LIFETIME = datetime.timedelta(hours=1)


class SetupRefused(Exception):
    """The link cannot be used; the message is one sentence a person can act on."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def anyone_can_sign_in(connection: Connection) -> bool:
    """Whether any console user exists (an EXISTS query: cheap however many there are)."""
    return bool(connection.execute(select(exists().select_from(USERS))).scalar())


def issue_setup_token(
    connection: Connection,
    now: datetime.datetime,
    lifetime: datetime.timedelta = SETUP_LINK_LIFETIME,
) -> str | None:
    """A new one-time token, or None when someone can sign in already. Expired ones go."""
    if anyone_can_sign_in(connection):
        return None
    connection.execute(delete(SETUP_TOKENS).where(SETUP_TOKENS.c.expires_at <= now))
    token = secrets.token_urlsafe(32)
    connection.execute(
        insert(SETUP_TOKENS).values(
            token_hash=_hash(token), created_at=now, expires_at=now + lifetime
        )
    )
    return token


def check_setup_token(connection: Connection, token: str, now: datetime.datetime) -> None:
    """Raise `SetupRefused` unless the token may still create the first administrator."""
    if anyone_can_sign_in(connection):
        raise SetupRefused(
            "The first administrator already exists; sign in to the console, or ask an "
            "administrator for an account."
        )
    expires = connection.execute(
        select(SETUP_TOKENS.c.expires_at).where(SETUP_TOKENS.c.token_hash == _hash(token[:100]))
    ).scalar_one_or_none()
    if expires is None or expires <= now:
        raise SetupRefused(
            "This setup link has expired or is not valid; restart `doorstep serve` for a new "
            "one, or run `doorstep users create --role admin` on the server."
        )


def create_first_admin(
    connection: Connection, token: str, *, email: str, password: str, now: datetime.datetime
) -> UserInfo:
    """Check the link, create the admin (password rules as for any user) and drop every link.

    Raises `SetupRefused` for the link and `ValueError` for the email or password."""
    check_setup_token(connection, token, now)
    normalise_email(email)  # a mistyped form keeps the link usable
    check_password_rules(password)
    # Claim the link first: of two forms sent at once with the same link, one wins.
    claimed = connection.execute(
        delete(SETUP_TOKENS).where(SETUP_TOKENS.c.token_hash == _hash(token[:100]))
    ).rowcount
    if claimed != 1:
        raise SetupRefused("This setup link has just been used; sign in to the console.")
    user = create_user(connection, email=email, password=password, role=Role.ADMIN, now=now)
    connection.execute(delete(SETUP_TOKENS))
    return user
