"""Which conversation a reply is read in: the address's latest open session.

On SQLite the engine loads it with its own statement (no temporary b-trees); it must find
the same row as the portable statement PostgreSQL runs, whatever sessions the tenant has.
"""

from __future__ import annotations

import datetime
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Connection, insert, text

from bot.engine import conversation_load
from bot.storage.db import Database
from bot.storage.models import SessionState
from bot.storage.tables import IDENTITIES, RESPONDENTS, SESSIONS

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
_numbers = count(1)

# (state, hours after START it was last updated) for each of a tenant's sessions.
SCENARIOS: dict[str, list[tuple[SessionState, int]]] = {
    "no sessions": [],
    "only closed ones": [(SessionState.COMPLETED, 1), (SessionState.EXPIRED, 5)],
    "one open": [(SessionState.IN_PROGRESS, 2)],
    "open, then a later closed one": [
        (SessionState.AWAITING_CONSENT, 1), (SessionState.COMPLETED, 9),
    ],
    "two open: the later updated wins": [(SessionState.IN_PROGRESS, 7), (SessionState.INVITED, 3)],
    "invited after a finished survey": [(SessionState.COMPLETED, 1), (SessionState.INVITED, 2)],
}  # fmt: skip


def _version(connection: Connection) -> int:
    row = connection.execute(
        text(
            "INSERT INTO questionnaire_versions (questionnaire_id, version, source_hash, source,"
            " loaded_at) VALUES ('load_test', :v, 'x', 'x', :at) RETURNING id"
        ),
        {"v": str(next(_numbers)), "at": START},
    )
    return int(row.scalar_one())


def _tenant(connection: Connection, sessions: list[tuple[SessionState, int]]) -> str:
    address = f"+4477009{next(_numbers):05d}"
    respondent = connection.execute(
        insert(RESPONDENTS).values(language="cy", timezone="Europe/London", created_at=START)
        .returning(RESPONDENTS.c.id)
    ).scalar_one()  # fmt: skip
    connection.execute(
        insert(IDENTITIES).values(
            respondent_id=respondent, channel="sms", address=address, created_at=START
        )
    )
    version = _version(connection)
    for state, hours in sessions:
        moment = START + datetime.timedelta(hours=hours)
        connection.execute(
            insert(SESSIONS).values(
                respondent_id=respondent, questionnaire_version_id=version, channel="sms",
                state=state.value, language="cy", attempts=hours, values={"q": hours},
                asked=["q"], sensitive_consents={}, created_at=START, updated_at=moment,
                expires_at=moment + datetime.timedelta(days=14),
            )
        )  # fmt: skip
    return address


def _portable(connection: Connection, address: str) -> dict[str, Any] | None:
    row = connection.execute(
        conversation_load.LOAD_CONVERSATION, {"channel": "sms", "addr": address}
    ).first()
    return None if row is None else dict(row._mapping)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_latest_open_session_is_found_as_the_portable_statement_finds_it(
    database: Database, scenario: str
) -> None:
    with database.engine.begin() as connection:
        address = _tenant(connection, SCENARIOS[scenario])
        loaded = conversation_load.load_conversation(connection, "sms", address)
        expected = _portable(connection, address)
    assert loaded is not None and expected is not None
    assert {name: getattr(loaded, name) for name in expected} == expected
    open_ones = [(hours, state) for state, hours in SCENARIOS[scenario] if state.is_open]
    if open_ones:
        latest_hours, latest_state = max(open_ones)
        assert (loaded.state, loaded.attempts) == (latest_state.value, latest_hours)
    else:
        assert loaded.id is None and loaded.respondent_id is not None


def test_an_address_never_seen_has_no_conversation(database: Database) -> None:
    with database.engine.begin() as connection:
        _tenant(connection, [(SessionState.IN_PROGRESS, 1)])
        assert conversation_load.load_conversation(connection, "sms", "+447700999999") is None
        assert conversation_load.load_conversation(connection, "telegram", "+447700900001") is None
