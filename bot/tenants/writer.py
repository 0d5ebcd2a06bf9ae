"""Writing one batch of validated tenant records: compare with what is stored, then write.

A batch reads what the database holds for its tenants and numbers in three queries, decides
every change in memory, and writes them as a few multi-row statements: a round trip per row
would make a 50,000-tenant import take minutes on PostgreSQL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from bot.storage.tables import IDENTITIES, PROFILE, RESPONDENTS
from bot.tenants.rows import Problem, TenantRecord


@dataclass
class Outcome:
    created: bool = False
    changed: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Owner:
    identity_id: int | None  # None: inserted by this batch
    respondent_id: int
    tenant_ref: str | None


@dataclass
class BatchWriter:
    connection: Connection
    source: str
    now: datetime.datetime
    default_timezone: str
    respondents: dict[str, Any] = field(default_factory=dict)  # tenant ref -> stored row
    profile: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> name -> value
    phones: dict[str, _Owner] = field(default_factory=dict)
    whatsapp: set[str] = field(default_factory=set)  # numbers with a WhatsApp identity
    _supersede: list[dict[str, Any]] = field(default_factory=list)
    _profile_rows: list[dict[str, Any]] = field(default_factory=list)
    _identity_rows: list[dict[str, Any]] = field(default_factory=list)

    def write(self, batch: list[TenantRecord]) -> list[Outcome]:
        self._load(batch)
        created = self._create_missing(batch)
        outcomes = [self._apply(record, record.tenant_ref in created) for record in batch]
        self._flush()
        return outcomes

    def _load(self, batch: list[TenantRecord]) -> None:
        refs = [record.tenant_ref for record in batch]
        for row in self.connection.execute(
            select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, RESPONDENTS.c.name,
                   RESPONDENTS.c.language, RESPONDENTS.c.timezone)
            .where(RESPONDENTS.c.tenant_ref.in_(refs))
        ):  # fmt: skip
            self.respondents[row.tenant_ref] = row
        ids = [row.id for row in self.respondents.values()]
        if ids:
            for value in self.connection.execute(
                select(PROFILE.c.respondent_id, PROFILE.c.name, PROFILE.c.value).where(
                    PROFILE.c.respondent_id.in_(ids), PROFILE.c.superseded_at.is_(None)
                )
            ):
                self.profile.setdefault(value.respondent_id, {})[value.name] = value.value
        numbers = sorted({number for record in batch for number in record.phones})
        if numbers:
            for found in self.connection.execute(
                select(IDENTITIES.c.id, IDENTITIES.c.address, IDENTITIES.c.respondent_id,
                       RESPONDENTS.c.tenant_ref)
                .join(RESPONDENTS, RESPONDENTS.c.id == IDENTITIES.c.respondent_id)
                .where(IDENTITIES.c.channel == "sms", IDENTITIES.c.address.in_(numbers))
            ):  # fmt: skip
                self.phones[found.address] = _Owner(found.id, found.respondent_id, found.tenant_ref)
            self.whatsapp.update(
                self.connection.execute(
                    select(IDENTITIES.c.address).where(
                        IDENTITIES.c.channel == "whatsapp", IDENTITIES.c.address.in_(numbers)
                    )
                ).scalars()
            )

    def _create_missing(self, batch: list[TenantRecord]) -> set[str]:
        new = [record for record in batch if record.tenant_ref not in self.respondents]
        if not new:
            return set()
        rows = self.connection.execute(
            insert(RESPONDENTS).returning(
                RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, sort_by_parameter_order=True
            ),
            [
                {
                    "tenant_ref": record.tenant_ref,
                    "name": record.name,
                    "language": record.language,
                    "timezone": record.timezone or self.default_timezone,
                    "created_at": self.now,
                }
                for record in new
            ],
        ).all()
        for row, record in zip(rows, new, strict=True):
            self.respondents[record.tenant_ref] = _Fresh(row.id, record)
        return {record.tenant_ref for record in new}

    def _apply(self, record: TenantRecord, created: bool) -> Outcome:
        outcome = Outcome(created=created)
        existing = self.respondents[record.tenant_ref]
        respondent_id = int(existing.id)
        if not created:
            changes = {
                column: wanted
                for column, wanted in (
                    ("name", record.name),
                    ("language", record.language),
                    ("timezone", record.timezone),
                )
                if wanted is not None and wanted != getattr(existing, column)
            }
            if changes:  # rare enough for a statement of its own
                self.connection.execute(
                    update(RESPONDENTS).where(RESPONDENTS.c.id == respondent_id).values(**changes)
                )
                outcome.changed = True
        current = self.profile.setdefault(respondent_id, {})
        for name, value in record.profile.items():
            if name in current and current[name] == value:
                continue
            if name in current:
                self._supersede.append({"who": respondent_id, "what": name})
            self._profile_rows.append(
                {"respondent_id": respondent_id, "name": name, "value": value,
                 "source": self.source, "recorded_at": self.now, "superseded_at": None}
            )  # fmt: skip
            current[name] = value
            outcome.changed = True
        for number in record.phones:
            outcome.changed |= self._link_phone(record, respondent_id, number, outcome)
        outcome.changed |= self._link_whatsapp(record, respondent_id)
        return outcome

    def _link_whatsapp(self, record: TenantRecord, respondent_id: int) -> bool:
        """A tenant who prefers WhatsApp is reached there on their (first) mobile number."""
        preference = record.profile.get("preferred_channel")
        wanted = preference if isinstance(preference, list) else [preference]
        if "whatsapp" not in wanted or not record.phones:
            return False
        number = record.phones[0]
        owner = self.phones.get(number)
        if number in self.whatsapp or (owner is not None and owner.respondent_id != respondent_id):
            return False  # already linked, or the number is someone else's (reported above)
        self._identity_rows.append(
            {"respondent_id": respondent_id, "channel": "whatsapp", "address": number,
             "created_at": self.now}
        )  # fmt: skip
        self.whatsapp.add(number)
        return True

    def _link_phone(
        self, record: TenantRecord, respondent_id: int, number: str, outcome: Outcome
    ) -> bool:
        owner = self.phones.get(number)
        if owner is None:
            self._identity_rows.append(
                {"respondent_id": respondent_id, "channel": "sms", "address": number,
                 "created_at": self.now}
            )  # fmt: skip
            self.phones[number] = _Owner(None, respondent_id, record.tenant_ref)
            return True
        if owner.respondent_id == respondent_id:
            return False
        if owner.tenant_ref is None and owner.identity_id is not None:
            # Someone texted from this number before being known: it was this tenant all along.
            self.connection.execute(
                update(IDENTITIES)
                .where(IDENTITIES.c.id == owner.identity_id)
                .values(respondent_id=respondent_id)
            )
            self.phones[number] = _Owner(owner.identity_id, respondent_id, record.tenant_ref)
            return True
        outcome.problems.append(
            Problem(
                record.row,
                f"A phone number on this row already belongs to tenant {owner.tenant_ref}, so "
                "it was not moved; correct it in the housing system if it has changed hands.",
                error=False,
            )
        )
        return False

    def _flush(self) -> None:
        if self._supersede:
            self.connection.execute(
                update(PROFILE)
                .where(
                    PROFILE.c.respondent_id == bindparam("who"),
                    PROFILE.c.name == bindparam("what"),
                    PROFILE.c.superseded_at.is_(None),
                )
                .values(superseded_at=self.now),
                self._supersede,
            )
        if self._profile_rows:
            self.connection.execute(insert(PROFILE), self._profile_rows)
        if self._identity_rows:
            self.connection.execute(insert(IDENTITIES), self._identity_rows)
        self._supersede, self._profile_rows, self._identity_rows = [], [], []


@dataclass(frozen=True)
class _Fresh:
    """A respondent this batch created, standing in for the stored row."""

    id: int
    record: TenantRecord
