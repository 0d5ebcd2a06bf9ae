"""People and systems that use the API and console: roles, principals and user accounts.

Roles: `admin` (everything, including the audit log, subject access and erasure), `officer`
(tenants, campaigns, repairs, concerns), `analyst` (responses and pseudonymised exports).
API keys also carry a role; the default, `repairs`, only posts repair events.

Passwords are hashed with argon2id. Five wrong passwords in a row lock the account for
fifteen minutes (both configurable); while locked, even the right password is refused.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from bot.storage.tables import USERS

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; this only bounds the work per attempt
# argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): ~0.1 s per check on one core,
# so a burst of sign-in attempts cannot starve a small server. Stronger settings later
# upgrade stored hashes at the next sign-in (see `needs_rehash`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    ANALYST = "analyst"
    REPAIRS = "repairs"  # machines only: posts repair events, nothing else

    @classmethod
    def parse(cls, text: str, *, people_only: bool = False) -> Role:
        allowed = PEOPLE_ROLES if people_only else tuple(cls)
        for role in allowed:
            if role.value == text.strip().lower():
                return role
        names = ", ".join(role.value for role in allowed)
        raise ValueError(f"{text!r} is not a role; use one of: {names}.")


PEOPLE_ROLES = (Role.ADMIN, Role.OFFICER, Role.ANALYST)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a signed-in user or an API key."""

    kind: Literal["user", "apikey"]
    id: int
    name: str  # the user's email or the key's name: what the audit log shows
    role: Role
    can_export_identifiable: bool
    # The console session's CSRF token (cookie sign-ins only): for forms and X-CSRF-Token.
    csrf_token: str | None = None

    @property
    def sees_contact_details(self) -> bool:
        """Names, phone numbers, emails and addresses: officers and admins, not analysts."""
        return self.role in (Role.ADMIN, Role.OFFICER)


def identifiable_allowed(role: Role, granted: bool) -> bool:
    """Admins always; officers only when granted; analysts and machines never."""
    return role is Role.ADMIN or (role is Role.OFFICER and granted)


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    display_name: str
    role: Role
    can_export_identifiable: bool
    disabled: bool
    locked_until: datetime.datetime | None
    created_at: datetime.datetime
    last_login_at: datetime.datetime | None

    def principal(self, csrf_token: str | None = None) -> Principal:
        return Principal("user", self.id, self.email, self.role, self.can_export_identifiable,
                         csrf_token)  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role.value,
            "can_export_identifiable": self.can_export_identifiable,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
            "last_login_at": self.last_login_at.isoformat() if self.last_login_at else None,
        }


def user_info(row: Any) -> UserInfo:
    role = Role(row.role)
    return UserInfo(
        id=int(row.id),
        email=row.email,
        display_name=row.display_name,
        role=role,
        can_export_identifiable=identifiable_allowed(role, bool(row.can_export_identifiable)),
        disabled=row.disabled_at is not None,
        locked_until=row.locked_until,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or len(email) > 254 or any(c.isspace() for c in email):
        raise ValueError(f"{email!r} is not an email address like name@example.org.")
    return email


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"The password must be at least {MIN_PASSWORD} characters long.")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"The password must be at most {MAX_PASSWORD} characters long.")


def create_user(
    connection: Connection,
    *,
    email: str,
    password: str,
    role: Role,
    now: datetime.datetime,
    display_name: str | None = None,
    can_export_identifiable: bool = False,
) -> UserInfo:
    email = normalise_email(email)
    if role not in PEOPLE_ROLES:
        raise ValueError("Users are admins, officers or analysts; machines get an API key.")
    check_password_rules(password)
    if find_user(connection, email=email) is not None:
        raise ValueError(f"A user with the email {email} already exists.")
    name = (display_name or email.split("@", 1)[0]).strip()[:200]
    user_id = connection.execute(
        insert(USERS)
        .values(
            email=email,
            display_name=name,
            role=role.value,
            can_export_identifiable=can_export_identifiable and role is Role.OFFICER,
            password_hash=_hasher.hash(password),
            failed_logins=0,
            created_at=now,
        )
        .returning(USERS.c.id)
    ).scalar_one()
    found = find_user(connection, user_id=int(user_id))
    assert found is not None
    return found


def find_user(
    connection: Connection, *, email: str | None = None, user_id: int | None = None
) -> UserInfo | None:
    query = select(USERS)
    if email is not None:
        query = query.where(USERS.c.email == email.strip().lower())
    if user_id is not None:
        query = query.where(USERS.c.id == user_id)
    row = connection.execute(query).first()
    return user_info(row) if row is not None else None


def list_users(connection: Connection) -> list[UserInfo]:
    return [user_info(row) for row in connection.execute(select(USERS).order_by(USERS.c.id))]


def count_admins(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count()).where(USERS.c.role == Role.ADMIN, USERS.c.disabled_at.is_(None))
        ).scalar_one()
    )


def _require(connection: Connection, email: str) -> UserInfo:
    found = find_user(connection, email=email)
    if found is None:
        raise LookupError(f"No user has the email {email.strip().lower()}.")
    return found


def set_disabled(
    connection: Connection, *, email: str, disabled: bool, now: datetime.datetime
) -> UserInfo:
    """Disable (signed-in sessions stop working at once) or enable a user."""
    user = _require(connection, email)
    if disabled and user.role is Role.ADMIN and not user.disabled and count_admins(connection) <= 1:
        raise ValueError("This is the last enabled admin; create another admin first.")
    connection.execute(
        update(USERS)
        .where(USERS.c.id == user.id)
        .values(disabled_at=now if disabled else None, failed_logins=0, locked_until=None)
    )
    return _require(connection, email)


def grant_identifiable(connection: Connection, *, email: str, granted: bool) -> UserInfo:
    """Let an officer download identifiable exports (or take it back)."""
    user = _require(connection, email)
    if user.role is not Role.OFFICER:
        raise ValueError(
            "Only officers are granted identifiable exports: admins always have them and "
            "analysts work with pseudonymised data."
        )
    connection.execute(
        update(USERS).where(USERS.c.id == user.id).values(can_export_identifiable=granted)
    )
    return _require(connection, email)


def set_password(connection: Connection, *, email: str, password: str) -> UserInfo:
    user = _require(connection, email)
    check_password_rules(password)
    connection.execute(
        update(USERS)
        .where(USERS.c.id == user.id)
        .values(password_hash=_hasher.hash(password), failed_logins=0, locked_until=None)
    )
    return user


@cache
def _dummy_hash() -> str:
    return _hasher.hash("doorstep-no-such-user")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: `None` checks a dummy hash, so a wrong
    email costs as long as a wrong password and reveals nothing."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password[:MAX_PASSWORD]) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def rehash(password: str) -> str:
    return _hasher.hash(password)
