"""What one scheduler tick did: the counts every periodic job reports.

Campaign ticks (`bot.campaigns.tick`) and repair follow-up ticks (`bot.repairs.followup`)
fill in the same report, so their log lines read alike and tests ask them the same way. It
sits at the top of `bot` because neither domain should import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class TickReport:
    started: int = 0  # campaigns that began
    invited: int = 0
    skipped: int = 0  # will not be invited (no channel, contact rules, opted out, ...)
    deferred: int = 0  # not yet: quiet hours, or the tenant is answering another survey
    reminded: int = 0
    closed: int = 0  # conversations closed after their last reminder
    finished: int = 0  # repair jobs settled because their survey ended
    expired: int = 0
    completed: int = 0  # campaigns that ended
    errors: int = 0

    def add(self, other: TickReport) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    @property
    def anything(self) -> bool:
        return any(vars(self).values())

    def summary(self) -> str:
        """The counts that are not zero, for the log: "3 invited, 1 deferred"."""
        counts = [f"{value} {name}" for name, value in vars(self).items() if value]
        return ", ".join(counts) or "nothing to do"
