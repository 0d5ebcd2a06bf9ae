"""After the invitation: settle finished conversations, remind once, expire.

`Engine.remind` runs its own transaction, so a reminder is claimed first (state
`reminding`), written, then marked `reminded`. A process killed in between leaves the claim;
the next tick looks in the outbox for a message of that session written after the claim and
only reminds when there is none, so a crash neither loses nor repeats the reminder.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from bot.outreach.contact_policy import blocked_reason
from bot.repairs.jobs import lock_job, repair_hours, set_job, tenant_timezone
from bot.repairs.models import RepairState
from bot.storage.models import OPEN_STATES, SessionState
from bot.storage.tables import IDENTITIES, OUTBOUND, REPAIR_JOBS, RESPONDENTS, SESSIONS
from bot.ticks import TickReport

if TYPE_CHECKING:
    from bot.service import Service

logger = logging.getLogger(__name__)
ACTIVE = [RepairState.INVITED.value, RepairState.REMINDING.value, RepairState.REMINDED.value]
OPEN = [state.value for state in OPEN_STATES]
STALE_CLAIM = datetime.timedelta(minutes=2)
BATCH = 200


def remind_and_expire(service: Service, now: datetime.datetime, stats: TickReport) -> None:
    with service.database.engine.connect() as connection:
        with connection.begin():
            stats.finished += _settle(connection, now)
        _remind_due(service, connection, now, stats)
        with connection.begin():
            stats.expired += _expire(connection, now)


def _settle(connection: Connection, now: datetime.datetime) -> int:
    """Jobs whose conversation ended (answered, declined, opted out, closed) take its outcome."""
    rows = connection.execute(
        select(REPAIR_JOBS.c.id, SESSIONS.c.state)
        .join(SESSIONS, SESSIONS.c.id == REPAIR_JOBS.c.session_id)
        .where(REPAIR_JOBS.c.state.in_(ACTIVE), SESSIONS.c.state.not_in(OPEN))
        .with_for_update(of=REPAIR_JOBS, skip_locked=True)
    ).all()
    for row in rows:
        state = RepairState.EXPIRED if row.state == SessionState.EXPIRED else RepairState.FINISHED
        connection.execute(
            update(REPAIR_JOBS)
            .where(REPAIR_JOBS.c.id == row.id)
            .values(state=state.value, outcome=row.state, reminder_due_at=None, updated_at=now)
        )
    return len(rows)


def _expire(connection: Connection, now: datetime.datetime) -> int:
    """Jobs past their expiry with the conversation still open: close both."""
    rows = connection.execute(
        select(REPAIR_JOBS.c.id, REPAIR_JOBS.c.session_id)
        .where(REPAIR_JOBS.c.state.in_(ACTIVE), REPAIR_JOBS.c.expires_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        connection.execute(
            update(SESSIONS)
            .where(SESSIONS.c.id == row.session_id, SESSIONS.c.state.in_(OPEN))
            .values(
                state=SessionState.EXPIRED.value,
                updated_at=now,
                current_question=None,
                values={},
                asked=[],
            )
        )
        connection.execute(
            update(REPAIR_JOBS)
            .where(REPAIR_JOBS.c.id == row.id)
            .values(
                state=RepairState.EXPIRED.value,
                outcome=SessionState.EXPIRED.value,
                reminder_due_at=None,
                updated_at=now,
            )
        )
    return len(rows)


def _remind_due(
    service: Service, connection: Connection, now: datetime.datetime, stats: TickReport
) -> None:
    with connection.begin():
        due = list(
            connection.execute(
                select(REPAIR_JOBS.c.id)
                .where(
                    (
                        (REPAIR_JOBS.c.state == RepairState.INVITED.value)
                        & (REPAIR_JOBS.c.reminder_due_at <= now)
                    )
                    | (
                        (REPAIR_JOBS.c.state == RepairState.REMINDING.value)
                        & (REPAIR_JOBS.c.reminder_claimed_at <= now - STALE_CLAIM)
                    ),
                    REPAIR_JOBS.c.expires_at > now,
                )
                .limit(BATCH)
            ).scalars()
        )
    hours = repair_hours(service.settings)
    for job_row_id in due:
        with connection.begin():
            job = lock_job(connection, job_row_id, RepairState.INVITED, RepairState.REMINDING)
            if job is None:
                continue
            target = _target(connection, job)
            if job.state == RepairState.REMINDING and _reminder_written(connection, job):
                _mark(connection, job.id, now, RepairState.REMINDED, reminded_at=now)
                continue
            if target is None:  # the conversation ended or the tenant may not be contacted
                _mark(connection, job.id, now, RepairState.INVITED, reminder_due_at=None)
                continue
            timezone = tenant_timezone(target["timezone"], service.settings)
            allowed = hours.next_allowed(now, timezone)
            if allowed > now:
                _mark(connection, job.id, now, RepairState.INVITED, reminder_due_at=allowed)
                continue
            _mark(connection, job.id, now, RepairState.REMINDING, reminder_claimed_at=now)
        try:
            service.engine.remind(channel=target["channel"], address=target["address"])
        except Exception as error:
            stats.errors += 1  # the claim stays; the next tick checks the outbox and retries
            logger.error(
                "reminder for repair job row %s failed (%s)", job_row_id, type(error).__name__
            )
            continue
        with connection.begin():
            _mark(connection, job_row_id, now, RepairState.REMINDED, reminded_at=now)
        stats.reminded += 1


def _target(connection: Connection, job: Any) -> dict[str, Any] | None:
    """Where the reminder goes, or None when it must not go (finished, opted out, blocked)."""
    row = connection.execute(
        select(
            IDENTITIES.c.channel,
            IDENTITIES.c.address,
            IDENTITIES.c.opted_out_at,
            SESSIONS.c.state,
        )
        .select_from(REPAIR_JOBS)
        .join(IDENTITIES, IDENTITIES.c.id == REPAIR_JOBS.c.identity_id)
        .join(SESSIONS, SESSIONS.c.id == REPAIR_JOBS.c.session_id)
        .where(REPAIR_JOBS.c.id == job.id)
    ).first()
    if row is None or row.opted_out_at is not None or row.state not in OPEN:
        return None
    if blocked_reason(connection, job.respondent_id, row.channel, row.address) is not None:
        return None
    timezone = connection.execute(
        select(RESPONDENTS.c.timezone).where(RESPONDENTS.c.id == job.respondent_id)
    ).scalar_one()
    return {"channel": row.channel, "address": row.address, "timezone": timezone}


def _reminder_written(connection: Connection, job: Any) -> bool:
    found = connection.execute(
        select(OUTBOUND.c.id)
        .where(
            OUTBOUND.c.session_id == job.session_id,
            OUTBOUND.c.created_at >= job.reminder_claimed_at,
        )
        .limit(1)
    ).first()
    return found is not None


def _mark(
    connection: Connection,
    job_row_id: int,
    now: datetime.datetime,
    state: RepairState,
    **values: Any,
) -> None:
    set_job(connection, job_row_id, now, state=state.value, **values)
