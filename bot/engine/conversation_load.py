"""The read every reply starts with: an address's identity, respondent and open session.

One statement, prepared once per dialect. PostgreSQL (and the turn's combined statement in
`bot.engine.turn_writes`) uses the portable form, `LOAD_CONVERSATION`. SQLite gets its own
form of the same read: the portable one makes SQLite build and drop two temporary b-trees
on every reply (one to walk the list of open states, one to sort by `updated_at`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    TextClause,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    text,
)

from bot.storage.models import OPEN_STATES
from bot.storage.prepared import Prepared
from bot.storage.tables import IDENTITIES, RESPONDENTS, SESSIONS

_open_states = [state.value for state in OPEN_STATES]
_COLUMNS = (
    IDENTITIES.c.id.label("identity_id"),
    IDENTITIES.c.respondent_id,
    IDENTITIES.c.opted_out_at,
    RESPONDENTS.c.language.label("respondent_language"),
    SESSIONS.c.id,
    SESSIONS.c.questionnaire_version_id,
    SESSIONS.c.state,
    SESSIONS.c.language,
    SESSIONS.c.current_question,
    SESSIONS.c.pending,
    SESSIONS.c.attempts,
    SESSIONS.c["values"],
    SESSIONS.c.asked,
    SESSIONS.c.sensitive_consents,
    SESSIONS.c.expires_at,
)


def _read(
    open_session: ColumnElement[bool] | TextClause, *extra: ColumnElement[Any]
) -> Select[Any]:
    """The address's row joined to its sessions that `open_session` accepts."""
    return (
        select(*_COLUMNS, *extra)
        .select_from(IDENTITIES)
        .join(RESPONDENTS, RESPONDENTS.c.id == IDENTITIES.c.respondent_id)
        .outerjoin(
            SESSIONS, and_(SESSIONS.c.respondent_id == IDENTITIES.c.respondent_id, open_session)
        )
        .where(
            IDENTITIES.c.channel == bindparam("channel"),
            IDENTITIES.c.address == bindparam("addr"),
        )
    )


# Constants written into the SQL, so the prepared statement has no list parameter.
LOAD_CONVERSATION = (
    _read(SESSIONS.c.state.in_([literal_column(f"'{state}'") for state in _open_states]))
    .order_by(SESSIONS.c.updated_at.desc())
    .limit(1)
)

# SQLite: the states OR-ed, with `+` so only the respondent is looked up in the index, and
# the latest session is the row `max(updated_at)` comes from (SQLite takes the plain columns
# of a query with a single max() from the row holding the maximum). One row always comes
# back; for an address never seen its columns are all NULL. The maximum itself is read as
# text: nothing uses it, so it is not converted to a datetime.
_SQLITE_LOAD_CONVERSATION = _read(
    text("(" + " OR ".join(f"+sessions.state = '{state}'" for state in _open_states) + ")"),
    func.max(SESSIONS.c.updated_at, type_=String()).label("latest_update"),
)

_LOAD = Prepared(LOAD_CONVERSATION)
_LOAD_SQLITE = Prepared(_SQLITE_LOAD_CONVERSATION)


def load_conversation(connection: Connection, channel: str, address: str) -> Any | None:
    """The address's identity, respondent and open session (None: an address never seen)."""
    values = {"channel": channel, "addr": address}
    if connection.dialect.name == "sqlite":
        (row,) = _LOAD_SQLITE.execute(connection, values)
        return row if row.identity_id is not None else None
    rows = _LOAD.execute(connection, values)
    return rows[0] if rows else None
