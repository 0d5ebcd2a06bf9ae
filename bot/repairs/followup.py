"""The repair follow-up tick: invite due jobs, remind once, settle and expire.

Every step works job by job, each in its own transaction that first locks the job row
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` runs one writer at a
time) and checks its state again, so two ticks never handle one job twice. The invitation
is written with `Engine.start(..., connection=...)` in the same transaction that marks the
job invited: a crash leaves either both or neither.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, select, update

from bot.engine.engine import SessionAlreadyOpen
from bot.outreach.best_time import best_moment, tenant_windows
from bot.outreach.channel_choice import ChannelChoice, NoChannel, choose_channel
from bot.outreach.contact_policy import may_contact, record_invitation
from bot.questionnaire.model import Questionnaire
from bot.repairs import upkeep
from bot.repairs.jobs import lock_job, repair_hours, set_job, tenant_timezone
from bot.repairs.models import RepairState
from bot.service import Service
from bot.storage.models import OPEN_STATES
from bot.storage.tables import IDENTITIES, REPAIR_JOBS, RESPONDENTS, SESSIONS
from bot.ticks import TickReport

logger = logging.getLogger(__name__)
BATCH = 200
BUSY_RETRY = datetime.timedelta(hours=6)  # the tenant is answering another survey
BEST_TIME_WAIT = datetime.timedelta(days=1)  # how long a follow-up waits for a best time


def send_due_repair_surveys(
    service: Service,
    now: datetime.datetime | None = None,
    *,
    available: Collection[str] | None = None,
) -> TickReport:
    """One tick: everything due at `now` (default: the engine's clock).

    `available`: the channels to invite on (default: those with a configured sender).
    """
    now = now or service.engine.clock()
    if available is None:
        available = service.settings.sending_channels
    stats = TickReport()
    try:
        questionnaire = service.registry.latest(service.settings.repair_questionnaire)
    except KeyError as error:  # a configuration mistake: say so once a tick, send nothing new
        logger.error("repair follow-ups are waiting: %s", error.args[0])
        upkeep.remind_and_expire(service, now, stats)
        return stats
    with service.database.engine.connect() as connection:
        with connection.begin():
            due = list(
                connection.execute(
                    select(REPAIR_JOBS.c.id)
                    .where(
                        REPAIR_JOBS.c.state == RepairState.SCHEDULED.value,
                        REPAIR_JOBS.c.survey_due_at <= now,
                    )
                    .order_by(REPAIR_JOBS.c.survey_due_at)
                    .limit(BATCH)
                ).scalars()
            )
        for job_id in due:
            try:
                with connection.begin():
                    _invite_one(
                        service, questionnaire, connection, int(job_id), now, available, stats
                    )
            except SessionAlreadyOpen:
                stats.deferred += 1  # another survey opened meanwhile: the next tick retries
            except Exception as error:
                stats.errors += 1
                # The type only: database errors quote the statement's parameters (numbers).
                logger.error(
                    "repair follow-up for job row %s failed (%s); will retry",
                    job_id,
                    type(error).__name__,
                )
    upkeep.remind_and_expire(service, now, stats)
    if stats.anything:
        logger.info("repair follow-ups: %s", stats.summary())
    return stats


def _invite_one(
    service: Service,
    questionnaire: Questionnaire,
    connection: Connection,
    job_row_id: int,
    now: datetime.datetime,
    available: Collection[str] | None,
    stats: TickReport,
) -> None:
    """Invite one due job's tenant now, or skip or defer the job; counted in `stats`."""
    job = lock_job(connection, job_row_id, RepairState.SCHEDULED)
    if job is None:
        return
    tenant = connection.execute(
        select(RESPONDENTS.c.id, RESPONDENTS.c.timezone).where(
            RESPONDENTS.c.tenant_ref == job.tenant_ref
        )
    ).first()
    if tenant is None:
        reason = "No tenant has this reference; import the tenants first."
        _skip(connection, job.id, now, reason, stats)
        return
    choice = _channel_now(service, questionnaire, connection, job, tenant, now, available, stats)
    if choice is None:
        return
    messages = service.engine.start(
        channel=choice.channel,
        address=choice.address,
        questionnaire_id=questionnaire.id,
        respondent_id=tenant.id,
        connection=connection,
    )
    if not messages or messages[0].session_id is None:
        _skip(connection, job.id, now, "The tenant opted out.", stats, respondent_id=tenant.id)
        return
    _mark_invited(service, connection, job, tenant.id, choice, messages[0].session_id, now)
    stats.invited += 1


def _channel_now(
    service: Service,
    questionnaire: Questionnaire,
    connection: Connection,
    job: Any,
    tenant: Any,
    now: datetime.datetime,
    available: Collection[str] | None,
    stats: TickReport,
) -> ChannelChoice | None:
    """The channel to invite on now, or None once the job is skipped or deferred."""
    settings = service.settings
    timezone = tenant_timezone(tenant.timezone, settings)
    allowed = repair_hours(settings).next_allowed(now, timezone)
    if allowed > now:  # outside the hours follow-ups may go out
        set_job(connection, job.id, now, survey_due_at=allowed, respondent_id=tenant.id)
        stats.deferred += 1
        return None
    # The tenant's best time, if it comes within a day (the repair is still fresh in mind).
    window_end = job.completed_at + datetime.timedelta(days=settings.repair_backdate_days)
    latest = min(now + BEST_TIME_WAIT, window_end)
    windows = tenant_windows(connection, tenant.id)
    best = best_moment(windows, now, timezone, repair_hours(settings), latest)
    if best > now:
        set_job(connection, job.id, now, survey_due_at=best, respondent_id=tenant.id)
        stats.deferred += 1
        return None
    choice = choose_channel(
        connection,
        tenant.id,
        questionnaire.channels,
        available=available,
        links=False,  # repairs ask on the channel itself; links are for campaigns
        settings=settings,
    )
    if isinstance(choice, NoChannel):
        _skip(connection, job.id, now, choice.reason, stats, respondent_id=tenant.id)
        return None
    decision = may_contact(
        connection, tenant.id, choice.channel, choice.address, now, settings=settings
    )
    if not decision:
        reason = decision.reason or "Not allowed."
        _skip(connection, job.id, now, reason, stats, respondent_id=tenant.id)
        return None
    if _has_open_session(connection, tenant.id):
        _wait_for_other_survey(service, connection, job, tenant.id, now, stats)
        return None
    return choice


def _wait_for_other_survey(
    service: Service,
    connection: Connection,
    job: Any,
    respondent_id: int,
    now: datetime.datetime,
    stats: TickReport,
) -> None:
    """The tenant is answering another survey: try again later, or skip if the window closes."""
    window_end = job.completed_at + datetime.timedelta(days=service.settings.repair_backdate_days)
    if now + BUSY_RETRY > window_end:
        reason = "The tenant was answering another survey until the window closed."
        _skip(connection, job.id, now, reason, stats, respondent_id=respondent_id)
        return
    set_job(connection, job.id, now, survey_due_at=now + BUSY_RETRY, respondent_id=respondent_id)
    stats.deferred += 1


def _mark_invited(
    service: Service,
    connection: Connection,
    job: Any,
    respondent_id: int,
    choice: ChannelChoice,
    session_id: int,
    now: datetime.datetime,
) -> None:
    """The job is invited, in the transaction that wrote the invitation."""
    settings = service.settings
    expires = now + datetime.timedelta(days=settings.repair_expiry_days)
    identity_id = connection.execute(
        select(IDENTITIES.c.id).where(
            IDENTITIES.c.channel == choice.channel, IDENTITIES.c.address == choice.address
        )
    ).scalar_one()
    record_invitation(connection, respondent_id, choice.channel, "repair", job.job_id, now)
    set_job(
        connection,
        job.id,
        now,
        state=RepairState.INVITED.value,
        respondent_id=respondent_id,
        channel=choice.channel,
        identity_id=identity_id,
        session_id=session_id,
        invited_at=now,
        reminder_due_at=now + datetime.timedelta(hours=settings.repair_reminder_hours),
        expires_at=expires,
    )
    # The conversation closes with the job, so the sessions' expiry job ends it on time.
    connection.execute(
        update(SESSIONS)
        .where(SESSIONS.c.id == session_id, SESSIONS.c.expires_at > expires)
        .values(expires_at=expires)
    )


def _has_open_session(connection: Connection, respondent_id: int) -> bool:
    found = connection.execute(
        select(SESSIONS.c.id)
        .where(
            SESSIONS.c.respondent_id == respondent_id,
            SESSIONS.c.state.in_([state.value for state in OPEN_STATES]),
        )
        .limit(1)
    ).first()
    return found is not None


def _skip(
    connection: Connection,
    job_row_id: int,
    now: datetime.datetime,
    reason: str,
    stats: TickReport,
    **values: Any,
) -> None:
    set_job(
        connection,
        job_row_id,
        now,
        state=RepairState.SKIPPED.value,
        skip_reason=reason[:200],
        survey_due_at=None,
        **values,
    )
    stats.skipped += 1
