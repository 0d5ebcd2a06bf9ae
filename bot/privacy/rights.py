"""Tenants' data rights: see everything held (subject access), erasure, and retention.

Works table by table from the schema, so a table added later that points at a respondent is
covered without a change here: subject access includes it, erasure deletes its rows unless
the table is listed below as kept (anonymous statistics, the consent record).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Table, delete, insert, select, update

from bot.concerns.models import ConcernStatus
from bot.questionnaire.model import QuestionType
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.schema import metadata
from bot.storage.tables import (
    ANSWERS,
    CONCERNS,
    ERASURES,
    IDENTITIES,
    INBOUND,
    OUTBOUND,
    RESPONDENTS,
    SESSIONS,
)
from bot.tenants.lookup import find_respondent_id

# Kept after erasure, stripped of anything identifying: the coded answers for statistics,
# the record of what was consented to, and segment history (codes only).
KEPT_TABLES = frozenset(
    {"respondents", "sessions", "answers", "consents", "inbound_messages", "outbound_messages",
     "erasures", "segment_memberships", "repair_jobs", "concerns"}
)  # fmt: skip
# Kept tables' columns that identify someone, and what they become on erasure.
SCRUBBED_COLUMNS: dict[str, dict[str, object]] = {
    "repair_jobs": {"tenant_ref": "[erased]", "identity_id": None},
}
FREE_TEXT_TYPES = frozenset({QuestionType.TEXT, QuestionType.DATE})
SECRET_COLUMN_HINTS = ("hash", "secret", "token")
ERASED = "[erased]"


class UnknownTenant(LookupError):
    def __init__(self, tenant_ref: str) -> None:
        super().__init__(f"No tenant with the reference {tenant_ref!r} is known.")


def respondent_id_for(connection: Connection, tenant_ref: str) -> int:
    """The tenant's id, however the reference was typed (see `bot.tenants.lookup`)."""
    found = find_respondent_id(connection, tenant_ref)
    if found is None:
        raise UnknownTenant(tenant_ref)
    return found


def _respondent_tables() -> list[tuple[Table, Column[Any]]]:
    return [
        (table_, table_.c.respondent_id)
        for table_ in metadata.sorted_tables
        if "respondent_id" in table_.c and table_.name != "respondents"
    ]


def _jsonable(row: Any, columns: Iterable[str]) -> dict[str, Any]:
    return {
        name: value
        for name, value in row._mapping.items()
        if name in columns and not any(hint in name for hint in SECRET_COLUMN_HINTS)
    }


def subject_access(connection: Connection, tenant_ref: str) -> dict[str, Any]:
    """Everything held about one tenant, as JSON-ready data, table by table."""
    respondent_id = respondent_id_for(connection, tenant_ref)
    respondent = connection.execute(
        select(RESPONDENTS).where(RESPONDENTS.c.id == respondent_id)
    ).one()
    report: dict[str, Any] = {
        "tenant_ref": respondent.tenant_ref,
        "respondent": _jsonable(respondent, RESPONDENTS.c.keys()),
    }
    for table_, column in _respondent_tables():
        rows = connection.execute(select(table_).where(column == respondent_id)).all()
        report[table_.name] = [_jsonable(row, table_.c.keys()) for row in rows]
    session_ids = [session["id"] for session in report.get("sessions", [])]
    answers = connection.execute(
        select(ANSWERS).where(ANSWERS.c.session_id.in_(session_ids)).order_by(ANSWERS.c.id)
    ).all()
    report["answers"] = [_jsonable(row, ANSWERS.c.keys()) for row in answers]
    return report


def subject_access_json(connection: Connection, tenant_ref: str) -> str:
    return json.dumps(
        subject_access(connection, tenant_ref), default=str, indent=2, ensure_ascii=False
    )


@dataclass(frozen=True)
class ErasureResult:
    respondent_id: int
    rows_deleted: int
    answers_kept: int
    # Open cases outlive the personal data: the duty to act on a hazard does not end with
    # an erasure. They keep their property link and steps; the officers' notes go.
    cases_kept: int = 0


def _keep_open_cases(connection: Connection, respondent_id: int) -> tuple[int, int]:
    """Delete closed cases; anonymise open ones. Returns (deleted, kept)."""
    deleted = connection.execute(
        delete(CONCERNS).where(
            CONCERNS.c.respondent_id == respondent_id,
            CONCERNS.c.status == ConcernStatus.CLOSED.value,
        )
    ).rowcount
    kept = connection.execute(
        update(CONCERNS).where(CONCERNS.c.respondent_id == respondent_id).values(note=None)
    ).rowcount
    return deleted, kept


def erase(
    connection: Connection,
    registry: QuestionnaireRegistry,
    tenant_ref: str,
    now: datetime.datetime,
    requested_by: str,
) -> ErasureResult:
    """Remove a tenant's personal data and free text; keep anonymous coded answers.

    Records that an erasure happened (when, at whose request), never what was erased.
    """
    respondent_id = respondent_id_for(connection, tenant_ref)
    deleted = 0
    # Children before parents, so a row pointing at another of the tenant's rows goes first.
    for table_, column in reversed(_respondent_tables()):
        if table_.name not in KEPT_TABLES:
            deleted += connection.execute(delete(table_).where(column == respondent_id)).rowcount
    closed_cases, cases_kept = _keep_open_cases(connection, respondent_id)
    deleted += closed_cases
    for table_, column in _respondent_tables():
        scrub = SCRUBBED_COLUMNS.get(table_.name)
        if scrub:
            connection.execute(update(table_).where(column == respondent_id).values(**scrub))
    connection.execute(
        update(RESPONDENTS)
        .where(RESPONDENTS.c.id == respondent_id)
        .values(tenant_ref=None, name=None, erased_at=now)
    )
    kept = _strip_free_text(connection, registry, respondent_id)
    connection.execute(
        update(INBOUND).where(INBOUND.c.respondent_id == respondent_id).values(text=None)
    )
    connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.respondent_id == respondent_id)
        .values(address=ERASED, body=ERASED, buttons=[])
    )
    connection.execute(
        insert(ERASURES).values(
            respondent_id=respondent_id, erased_at=now, requested_by=requested_by
        )
    )
    return ErasureResult(respondent_id, deleted, kept, cases_kept)


def _strip_free_text(
    connection: Connection, registry: QuestionnaireRegistry, respondent_id: int
) -> int:
    """Blank typed text everywhere; keep coded answers (choices, numbers, yes/no)."""
    sessions = connection.execute(
        select(SESSIONS.c.id, SESSIONS.c.questionnaire_version_id, SESSIONS.c["values"]).where(
            SESSIONS.c.respondent_id == respondent_id
        )
    ).all()
    kept = 0
    for session in sessions:
        questionnaire = registry.by_version_id(connection, session.questionnaire_version_id)
        free = {q.name for q in questionnaire.questions if q.type in FREE_TEXT_TYPES}
        values = {k: v for k, v in (session.values or {}).items() if k not in free}
        connection.execute(
            update(SESSIONS).where(SESSIONS.c.id == session.id).values(values=values)
        )
        connection.execute(
            update(ANSWERS).where(ANSWERS.c.session_id == session.id).values(raw_text=None)
        )
        if free:
            connection.execute(
                update(ANSWERS)
                .where(ANSWERS.c.session_id == session.id, ANSWERS.c.question.in_(free))
                .values(value=None)
            )
        remaining = connection.execute(
            select(ANSWERS.c.value).where(ANSWERS.c.session_id == session.id)
        ).scalars()
        kept += sum(1 for value in remaining if value is not None)
    return kept


@dataclass(frozen=True)
class RetentionResult:
    messages_cleared: int
    answers_cleared: int
    identities_removed: int


def apply_retention(
    connection: Connection,
    registry: QuestionnaireRegistry,
    now: datetime.datetime,
    *,
    message_days: int,
    contact_days: int,
) -> RetentionResult:
    """Purge message text and free-text answers past their retention, and contact details
    of tenants not heard from or written to in `contact_days`."""
    message_cutoff = now - datetime.timedelta(days=message_days)
    messages = connection.execute(
        update(INBOUND)
        .where(INBOUND.c.received_at < message_cutoff, INBOUND.c.text.is_not(None))
        .values(text=None)
    ).rowcount
    messages += connection.execute(
        update(OUTBOUND)
        .where(OUTBOUND.c.created_at < message_cutoff, OUTBOUND.c.body != ERASED)
        .values(body=ERASED, buttons=[])
    ).rowcount
    answers = _expire_answers(connection, registry, now)
    contact_cutoff = now - datetime.timedelta(days=contact_days)
    recent = (
        select(INBOUND.c.respondent_id)
        .where(INBOUND.c.received_at >= contact_cutoff, INBOUND.c.respondent_id.is_not(None))
        .union(select(OUTBOUND.c.respondent_id).where(OUTBOUND.c.created_at >= contact_cutoff))
    )
    identities = connection.execute(
        delete(IDENTITIES).where(
            IDENTITIES.c.created_at < contact_cutoff,
            IDENTITIES.c.respondent_id.not_in(recent.scalar_subquery()),
        )
    ).rowcount
    return RetentionResult(messages, answers, identities)


def _expire_answers(
    connection: Connection, registry: QuestionnaireRegistry, now: datetime.datetime
) -> int:
    """Free-text answers older than their questionnaire's `retention_days`."""
    cleared = 0
    versions = connection.execute(select(SESSIONS.c.questionnaire_version_id).distinct()).all()
    for (version_id,) in versions:
        questionnaire = registry.by_version_id(connection, version_id)
        free = [q.name for q in questionnaire.questions if q.type in FREE_TEXT_TYPES]
        cutoff = now - datetime.timedelta(days=questionnaire.retention_days)
        in_version = select(SESSIONS.c.id).where(SESSIONS.c.questionnaire_version_id == version_id)
        cleared += connection.execute(
            update(ANSWERS)
            .where(
                ANSWERS.c.session_id.in_(in_version.scalar_subquery()),
                ANSWERS.c.answered_at < cutoff,
                ANSWERS.c.raw_text.is_not(None),
            )
            .values(raw_text=None)
        ).rowcount
        if free:
            connection.execute(
                update(ANSWERS)
                .where(
                    ANSWERS.c.session_id.in_(in_version.scalar_subquery()),
                    ANSWERS.c.answered_at < cutoff,
                    ANSWERS.c.question.in_(free),
                )
                .values(value=None)
            )
    return cleared
