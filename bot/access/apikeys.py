"""API keys for other systems: `dsk_<prefix>.<secret>`, shown once, stored as a hash.

The prefix (8 hex characters, not secret) finds the row; the SHA-256 of the whole key is
compared in constant time. A fast hash is enough: the secret is 256 random bits, so there is
nothing to guess from a leaked hash. Revoked keys stay listed, so the record shows who had one.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bot.storage.tables import API_KEYS

KEY_PREFIX = "dsk_"
MAX_KEY_LENGTH = 100
PREFIX_LENGTH = 8
# Writing `last_used_at` on every request would cost a write per call; a minute is plenty.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class KeyInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    role: str = "repairs"  # bot.access.users.Role: what the key may do


@dataclass(frozen=True)
class NewKey:
    info: KeyInfo
    key: str  # the full key: show it once, it cannot be recovered


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: Any) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
        role=row.role,
    )


def create_key(
    connection: Connection, name: str, now: datetime.datetime, *, role: str = "repairs"
) -> NewKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("Give the key a name of 1 to 100 characters, e.g. the calling system.")
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"{KEY_PREFIX}{prefix}.{secrets.token_urlsafe(32)}"
    key_id = connection.execute(
        insert(API_KEYS)
        .values(name=name, prefix=prefix, secret_hash=_hash(key), created_at=now, role=role)
        .returning(API_KEYS.c.id)
    ).scalar_one()
    info = KeyInfo(int(key_id), name, prefix, now, None, None, role)
    return NewKey(info, key)


def verify_key(connection: Connection, key: str, now: datetime.datetime) -> KeyInfo | None:
    """The key's record if the key is valid and not revoked; records when it was used."""
    key = key.strip()
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH or "." not in key:
        return None
    prefix = key[len(KEY_PREFIX) :].split(".", 1)[0]
    if len(prefix) != PREFIX_LENGTH or any(c not in "0123456789abcdef" for c in prefix):
        return None
    row = connection.execute(select(API_KEYS).where(API_KEYS.c.prefix == prefix)).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(key)):
        return None
    if row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        connection.execute(update(API_KEYS).where(API_KEYS.c.id == row.id).values(last_used_at=now))
    return _info(row)


def list_keys(connection: Connection) -> list[KeyInfo]:
    rows = connection.execute(select(API_KEYS).order_by(API_KEYS.c.id)).all()
    return [_info(row) for row in rows]


def revoke_key(connection: Connection, name_or_prefix: str, now: datetime.datetime) -> int:
    """Revoke the keys with this name or prefix; returns how many were revoked just now."""
    text = name_or_prefix.strip().removeprefix(KEY_PREFIX).split(".", 1)[0]
    result = connection.execute(
        update(API_KEYS)
        .where(
            (API_KEYS.c.name == name_or_prefix.strip()) | (API_KEYS.c.prefix == text),
            API_KEYS.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount or 0
