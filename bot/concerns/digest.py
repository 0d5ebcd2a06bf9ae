"""The daily digest: cases near or past a deadline, for the officers.

Written to the log, and emailed to `DOORSTEP_DIGEST_EMAIL_TO` when SMTP is configured (the
scheduler's job sends it): case numbers, categories and deadlines only, never a tenant's
reference, name or words, so it may go to any officer's mailbox.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, select

from bot.concerns.case_view import CATEGORY_NAMES, steps_done
from bot.concerns.deadlines import deadlines
from bot.concerns.models import Category, ConcernStatus
from bot.storage.tables import CONCERNS

logger = logging.getLogger(__name__)
NEAR = datetime.timedelta(days=2)


@dataclass(frozen=True)
class DigestLine:
    concern_id: int
    category: str
    step: str
    due: datetime.datetime
    overdue: bool

    def sentence(self) -> str:
        when = self.due.strftime("%-d %b %Y %H:%M UTC")
        state = "overdue since" if self.overdue else "due by"
        name = (
            CATEGORY_NAMES.get(Category(self.category), self.category)
            if self.category in set(Category)
            else self.category
        )
        return f"case {self.concern_id} ({name.lower()}): {self.step.lower()} {state} {when}"


def digest(
    connection: Connection, now: datetime.datetime, near: datetime.timedelta = NEAR
) -> list[DigestLine]:
    """Unmet deadlines of cases not closed that are past or within `near`; soonest first."""
    rows = connection.execute(
        select(CONCERNS).where(CONCERNS.c.status != ConcernStatus.CLOSED.value)
    ).all()
    lines = []
    for row in rows:
        for item in deadlines(row.severity, row.raised_at, row.nation, steps_done(row)):
            if item.done_at is None and item.due is not None and item.due <= now + near:
                lines.append(DigestLine(row.id, row.category, item.label, item.due, item.due < now))
    return sorted(lines, key=lambda line: (line.due, line.concern_id))


def log_digest(
    connection: Connection, now: datetime.datetime, *, emailed: bool = False
) -> list[DigestLine]:
    lines = digest(connection, now)
    overdue = sum(1 for line in lines if line.overdue)
    logger.info(
        "case digest: %d deadline(s) overdue, %d due within %d days (%s)",
        overdue,
        len(lines) - overdue,
        NEAR.days,
        "emailed to the digest addresses" if emailed else "no digest email set up: log only",
    )
    for line in lines:
        logger.info("case digest: %s", line.sentence())
    return lines


def digest_email(
    lines: list[DigestLine], now: datetime.datetime, console_url: str
) -> tuple[str, str]:
    """The digest as an email's subject and plain text, for officers."""
    overdue = sum(1 for line in lines if line.overdue)
    subject = (
        f"Case deadlines {now:%-d %b %Y}: {overdue} overdue, "
        f"{len(lines) - overdue} due within {NEAR.days} days"
    )
    if not lines:
        body = f"No case has a deadline passed or due within {NEAR.days} days."
    else:
        body = "\n".join(f"- {line.sentence()}" for line in lines)
    return subject, f"{body}\n\nOpen the cases in the console: {console_url}\n"
