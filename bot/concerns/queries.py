"""Concerns as officers work them (list, acknowledge, close), repair jobs, dashboard counts.

A concern row keeps only what matched (`reason`); the answer itself is read from the
answers table when the list is shown, so an erased tenant's free text is gone here too.
Analysts see why a concern was raised but no free text: not a typed answer (it may hold
names and phone numbers), nor a date typed by the tenant, nor the officers' notes.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from bot.access.audit import audit
from bot.access.users import Principal
from bot.campaigns.models import CampaignState
from bot.concerns.case_view import by_time_left, case_fields, tenant_label
from bot.concerns.models import ConcernStatus
from bot.engine.render import display_value
from bot.i18n.translate import translator
from bot.questionnaire.model import QuestionType
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.models import AnswerStatus, SessionState
from bot.storage.tables import ANSWERS, CAMPAIGNS, CONCERNS, REPAIR_JOBS, RESPONDENTS, SESSIONS

MAX_ROWS = 500


class ConcernError(Exception):
    """The change asked for does not fit the concern; the message is a sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# Answers a tenant types (as the exports count them): never shown without contact rights.
FREE_TEXT = frozenset({QuestionType.TEXT, QuestionType.DATE})


def _answer_text(
    registry: QuestionnaireRegistry,
    questionnaire_id: str,
    question: str,
    value: object,
    *,
    free_text: bool,
) -> str | None:
    """The answer as shown in the console; None when it is free text the caller may not see
    (or the question is no longer known, so it cannot be told apart from free text)."""
    try:
        questionnaire = registry.latest(questionnaire_id)
        asked = questionnaire.question(question)
    except KeyError:
        return ("" if value is None else str(value)) if free_text else None
    if asked.type in FREE_TEXT and not free_text:
        return None
    language = questionnaire.default_language
    return display_value(asked, value, language, translator(language))


def _oldest_first(status: ConcernStatus | None) -> tuple[Any, ...]:
    """Cases still open: the oldest first, so a cut-off list never drops an overdue one."""
    if status in (ConcernStatus.OPEN, ConcernStatus.ACKNOWLEDGED):
        return (CONCERNS.c.raised_at, CONCERNS.c.id)
    return (CONCERNS.c.raised_at.desc(), CONCERNS.c.id.desc())


def list_concerns(
    connection: Connection,
    registry: QuestionnaireRegistry,
    *,
    status: ConcernStatus | None,
    personal: bool,
    now: datetime.datetime,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Cases not yet closed by time left, overdue first (closed ones newest first).
    `personal` (officers, admins): tenant references, typed answers and notes; otherwise
    those are left out and `answer_withheld` says so."""
    answer = ANSWERS.alias("answer")
    query = (
        select(
            CONCERNS,
            RESPONDENTS.c.tenant_ref,
            RESPONDENTS.c.erased_at,
            answer.c.value.label("answer_value"),
        )
        .join(RESPONDENTS, RESPONDENTS.c.id == CONCERNS.c.respondent_id)
        .outerjoin(
            answer,
            and_(
                answer.c.session_id == CONCERNS.c.session_id,
                answer.c.question == CONCERNS.c.question,
                answer.c.status == AnswerStatus.CURRENT.value,
            ),
        )
        .order_by(*_oldest_first(status))
        .limit(max(1, min(limit, MAX_ROWS)))
    )
    if status is not None:
        query = query.where(CONCERNS.c.status == status.value)
    items = []
    for row in connection.execute(query):
        shown = _answer_text(
            registry, row.questionnaire_id, row.question, row.answer_value, free_text=personal
        )
        item: dict[str, Any] = {
            "id": row.id,
            "questionnaire": row.questionnaire_id,
            "question": row.question,
            "answer": shown,
            "answer_withheld": shown is None,
            "reason": row.reason,
            "status": row.status,
            "raised_at": _when(row.raised_at),
            "acknowledged_by": row.acknowledged_by,
            "acknowledged_at": _when(row.acknowledged_at),
            "closed_by": row.closed_by,
            "closed_at": _when(row.closed_at),
            "note": row.note if personal else None,
            **case_fields(row, now),
        }
        if personal:
            item["tenant_ref"] = row.tenant_ref
            item["tenant"] = tenant_label(row.tenant_ref, row.erased_at)
        items.append(item)
    if status is not ConcernStatus.CLOSED:
        items.sort(key=by_time_left)
    return items


def view_concerns(
    connection: Connection,
    registry: QuestionnaireRegistry,
    principal: Principal,
    *,
    status: ConcernStatus | None,
    via: str,
    now: datetime.datetime,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The list as `principal` may see it; audited (same transaction) when it holds personal
    data. The audit names the status asked for and the tenants shown, never the answers."""
    personal = principal.sees_contact_details
    items = list_concerns(
        connection, registry, status=status, personal=personal, now=now, limit=limit
    )
    if personal:
        shown = sorted({item["tenant_ref"] for item in items if item["tenant_ref"]})
        details = {"via": via, "status": status.value if status else "all", "tenants": shown}
        audit(connection, principal, "view_concerns", "concerns", details, len(items))
    return items


def _current_status(connection: Connection, concern_id: int) -> ConcernStatus:
    found = connection.execute(
        select(CONCERNS.c.status).where(CONCERNS.c.id == concern_id)
    ).scalar_one_or_none()
    if found is None:
        raise ConcernError(404, f"No concern has the number {concern_id}.")
    return ConcernStatus(found)


def acknowledge(
    connection: Connection, concern_id: int, *, by: str, note: str | None, now: datetime.datetime
) -> None:
    """Someone is looking at it. Only an open concern can be acknowledged."""
    status = _current_status(connection, concern_id)
    if status is not ConcernStatus.OPEN:
        raise ConcernError(409, f"Concern {concern_id} is already {status.value}.")
    values: dict[str, Any] = {
        "status": ConcernStatus.ACKNOWLEDGED.value,
        "acknowledged_by": by[:100],
        "acknowledged_at": now,
    }
    if note:
        values["note"] = note
    changed = connection.execute(
        update(CONCERNS)
        .where(CONCERNS.c.id == concern_id, CONCERNS.c.status == ConcernStatus.OPEN.value)
        .values(**values)
    ).rowcount
    if changed != 1:
        raise ConcernError(409, f"Concern {concern_id} changed meanwhile; look again.")


def close(
    connection: Connection, concern_id: int, *, by: str, note: str, now: datetime.datetime
) -> None:
    """Dealt with: the note says what was done. A closed concern stays closed."""
    status = _current_status(connection, concern_id)
    if status is ConcernStatus.CLOSED:
        raise ConcernError(409, f"Concern {concern_id} is already closed.")
    changed = connection.execute(
        update(CONCERNS)
        .where(CONCERNS.c.id == concern_id, CONCERNS.c.status == status.value)
        .values(
            status=ConcernStatus.CLOSED.value,
            closed_by=by[:100],
            closed_at=now,
            note=note,
            acknowledged_by=func.coalesce(CONCERNS.c.acknowledged_by, by[:100]),
            acknowledged_at=func.coalesce(CONCERNS.c.acknowledged_at, now),
        )
    ).rowcount
    if changed != 1:
        raise ConcernError(409, f"Concern {concern_id} changed meanwhile; look again.")


def list_repairs(
    connection: Connection, *, state: str | None, limit: int = 200
) -> list[dict[str, Any]]:
    query = select(REPAIR_JOBS).order_by(REPAIR_JOBS.c.completed_at.desc(), REPAIR_JOBS.c.id.desc())
    if state:
        query = query.where(REPAIR_JOBS.c.state == state)
    rows = connection.execute(query.limit(max(1, min(limit, MAX_ROWS)))).all()
    return [
        {
            "job_id": row.job_id,
            "tenant_ref": row.tenant_ref,
            "completed_at": _when(row.completed_at),
            "trade": row.trade,
            "contractor": row.contractor,
            "priority": row.priority,
            "source": row.source,
            "state": row.state,
            "skip_reason": row.skip_reason,
            "outcome": row.outcome,
            "channel": row.channel,
            "survey_due_at": _when(row.survey_due_at),
            "invited_at": _when(row.invited_at),
        }
        for row in rows
    ]


def dashboard_counts(connection: Connection, now: datetime.datetime) -> dict[str, int]:
    def count(query: Any) -> int:
        return int(connection.execute(query).scalar_one())

    week_ago = now - datetime.timedelta(days=7)
    return {
        "running_campaigns": count(
            select(func.count())
            .select_from(CAMPAIGNS)
            .where(CAMPAIGNS.c.state == CampaignState.RUNNING.value)
        ),
        "open_concerns": count(
            select(func.count())
            .select_from(CONCERNS)
            .where(CONCERNS.c.status == ConcernStatus.OPEN.value)
        ),
        "responses_this_week": count(
            select(func.count())
            .select_from(SESSIONS)
            .where(
                SESSIONS.c.state == SessionState.COMPLETED.value,
                SESSIONS.c.completed_at >= week_ago,
            )
        ),
    }


def open_concerns(connection: Connection, now: datetime.datetime) -> tuple[int, float]:
    """How many concerns are open, and how long the oldest has waited (seconds)."""
    count, oldest = connection.execute(
        select(func.count(), func.min(CONCERNS.c.raised_at)).where(
            CONCERNS.c.status == ConcernStatus.OPEN.value
        )
    ).one()
    if oldest is None:
        return int(count), 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC times
        oldest = oldest.replace(tzinfo=datetime.UTC)
    return int(count), max(0.0, (now - oldest).total_seconds())
