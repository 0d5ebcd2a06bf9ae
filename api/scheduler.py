"""The in-process scheduler: APScheduler ticks periodic jobs; the work lives in the tables."""

from __future__ import annotations

import logging
import smtplib

from apscheduler.schedulers.background import BackgroundScheduler

from bot.concerns.digest import digest_email, log_digest
from bot.engine.upkeep import expire_overdue_sessions
from bot.privacy import rights as privacy
from bot.privacy.rights import RetentionResult
from bot.service import Service
from bot.storage.models import utcnow
from channels.email.smtp import send_plain

logger = logging.getLogger(__name__)


def apply_retention(service: Service) -> RetentionResult:
    """The retention purge with the configured periods (the daily job and `doorstep retention`)."""
    settings = service.settings
    with service.database.transaction() as session:
        result = privacy.apply_retention(
            session.connection(),
            service.registry,
            utcnow(),
            message_days=settings.retention_message_days,
            contact_days=settings.retention_contact_days,
        )
    logger.info(
        "retention: %d message text(s), %d answer(s) cleared, %d contact(s) removed",
        result.messages_cleared,
        result.answers_cleared,
        result.identities_removed,
    )
    return result


def case_digest(service: Service) -> None:
    """Cases near or past a deadline, once a day, for the officers (see bot.concerns.digest):
    logged, and emailed to `DOORSTEP_DIGEST_EMAIL_TO` when SMTP is configured."""
    settings, now = service.settings, service.engine.clock()
    emailed = settings.email_enabled and bool(settings.digest_email_to)
    with service.database.engine.connect() as connection:
        lines = log_digest(connection, now, emailed=emailed)
    if not emailed:
        return
    console = f"{settings.public_base_url.rstrip('/')}/console/concerns"
    subject, text = digest_email(lines, now, console)
    try:
        send_plain(settings, settings.digest_email_to, subject, text)
    except (OSError, smtplib.SMTPException) as error:
        logger.error("case digest: the email could not be sent (%s)", type(error).__name__)


def start_scheduler(service: Service) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        expire_overdue_sessions,
        "interval",
        minutes=5,
        args=[service.database],
        id="expire-sessions",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        case_digest,
        "cron",
        hour=7,
        minute=30,
        args=[service],
        id="case-digest",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        apply_retention,
        "cron",
        hour=3,
        minute=17,
        args=[service],
        id="retention",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        "bot.repairs.followup:send_due_repair_surveys",  # repair follow-ups: invite, remind, expire
        "interval",
        minutes=1,
        args=[service],
        id="repair-followups",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        "bot.campaigns.tick:campaign_tick",  # campaigns: start, invite, remind, expire, complete
        "interval",
        seconds=service.settings.campaign_tick_seconds,
        args=[service],
        id="campaigns",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
