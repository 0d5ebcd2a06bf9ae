"""The daily digest: cases near or past a deadline, for the officers; and the same cases
counted by how soon their next deadline falls, for `/metrics`.

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
from bot.concerns.deadlines import deadlines, next_due
from bot.concerns.models import Category, ConcernStatus, Severity
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


# How soon a case's next unmet deadline falls, for `/metrics`: each case counted once.
DUE_WINDOWS = (
    ("overdue", datetime.timedelta(0)),
    ("within_24h", datetime.timedelta(hours=24)),
    ("within_7d", datetime.timedelta(days=7)),
)
LATER, NOT_SET = "later", "not_set"  # not_set: waiting for a step that sets the next clock


def cases_by_next_deadline(
    connection: Connection, now: datetime.datetime
) -> dict[tuple[str, str, str], int]:
    """(severity, category, window) -> cases not closed, by their next unmet deadline.

    Windows: overdue, within_24h, within_7d, later, not_set. Every combination of the
    known severities, categories and windows is present, zero when no case falls in it.
    """
    windows = [name for name, _ in DUE_WINDOWS] + [LATER, NOT_SET]
    counts = {
        (severity.value, category.value, window): 0
        for severity in Severity
        for category in Category
        for window in windows
    }
    rows = connection.execute(
        select(CONCERNS).where(CONCERNS.c.status != ConcernStatus.CLOSED.value)
    ).all()
    for row in rows:
        due = next_due(deadlines(row.severity, _utc(row.raised_at), row.nation, steps_done(row)))
        key = (row.severity, row.category, _window(due, now))
        counts[key] = counts.get(key, 0) + 1
    return counts


def _window(due: datetime.datetime | None, now: datetime.datetime) -> str:
    if due is None:
        return NOT_SET
    if due < now:
        return "overdue"
    for name, within in DUE_WINDOWS[1:]:
        if due <= now + within:  # a case due in exactly 24 hours is due within 24 hours
            return name
    return LATER


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
