"""Tenants a campaign did not message because they asked for letter or phone.

Officers call or write to them instead, so the list is identifiable (name, address, phone
numbers): only for people allowed identifiable data, and every download is audited.

    rows = letter_list(connection, campaign_id, principal)   # PermissionError if not allowed
    body = letter_list_csv(rows)
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from bot.access.audit import audit
from bot.access.users import Principal, identifiable_allowed
from bot.campaigns.models import TargetStatus
from bot.outreach.channel_choice import NOT_BY_MESSAGE
from bot.spreadsheet import neutralise
from bot.storage.tables import IDENTITIES, PROFILE, RESPONDENTS, TARGETS

HEADER = ("tenant_ref", "name", "asked_for", "reason", "address", "postcode", "phones", "email")
NOT_ALLOWED = "Your account may not see tenants' names and addresses; ask an administrator."


@dataclass(frozen=True)
class LetterListRow:
    tenant_ref: str | None
    name: str | None
    asked_for: str  # "letter" or "phone"
    reason: str
    address: str | None
    postcode: str | None
    phones: tuple[str, ...]
    email: str | None


def skipped_by_reason(connection: Connection, campaign_id: int) -> dict[str, int]:
    """How many tenants were not invited, per reason (most frequent first)."""
    rows = connection.execute(
        select(TARGETS.c.skip_reason, func.count())
        .where(TARGETS.c.campaign_id == campaign_id, TARGETS.c.status == TargetStatus.SKIPPED)
        .group_by(TARGETS.c.skip_reason)
    ).all()
    counts = Counter({reason or "No reason was recorded.": int(number) for reason, number in rows})
    return dict(counts.most_common())


def _may_see(principal: Principal) -> bool:
    return identifiable_allowed(principal.role, principal.can_export_identifiable)


def letter_list(
    connection: Connection, campaign_id: int, principal: Principal
) -> list[LetterListRow]:
    """The tenants to write to or call for this campaign; audited, allowed roles only."""
    if not _may_see(principal):
        raise PermissionError(NOT_ALLOWED)
    asked_for = {reason: channel for channel, reason in NOT_BY_MESSAGE.items()}
    targets = connection.execute(
        select(
            TARGETS.c.respondent_id,
            TARGETS.c.skip_reason,
            RESPONDENTS.c.tenant_ref,
            RESPONDENTS.c.name,
        )
        .join(RESPONDENTS, RESPONDENTS.c.id == TARGETS.c.respondent_id)
        .where(
            TARGETS.c.campaign_id == campaign_id,
            TARGETS.c.status == TargetStatus.SKIPPED,
            TARGETS.c.skip_reason.in_(list(asked_for)),
            RESPONDENTS.c.erased_at.is_(None),
        )
        .order_by(RESPONDENTS.c.tenant_ref)
    ).all()
    ids = [row.respondent_id for row in targets]
    details = _details(connection, ids)
    phones = _phones(connection, ids)
    rows = [
        LetterListRow(
            row.tenant_ref,
            row.name,
            asked_for[row.skip_reason],
            row.skip_reason,
            details.get((row.respondent_id, "address")),
            details.get((row.respondent_id, "postcode")),
            tuple(phones.get(row.respondent_id, [])),
            details.get((row.respondent_id, "email")),
        )
        for row in targets
    ]
    audit(connection, principal, "letter_list", f"campaign:{campaign_id}", None, len(rows))
    return rows


def _details(connection: Connection, ids: list[int]) -> dict[tuple[int, str], str]:
    rows = connection.execute(
        select(PROFILE.c.respondent_id, PROFILE.c.name, PROFILE.c.value).where(
            PROFILE.c.respondent_id.in_(ids),
            PROFILE.c.name.in_(("address", "postcode", "email")),
            PROFILE.c.superseded_at.is_(None),
        )
    ).all()
    return {(row.respondent_id, row.name): str(row.value) for row in rows}


def _phones(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    rows = connection.execute(
        select(IDENTITIES.c.respondent_id, IDENTITIES.c.address)
        .where(IDENTITIES.c.respondent_id.in_(ids), IDENTITIES.c.channel == "sms")
        .order_by(IDENTITIES.c.id)
    ).all()
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row.respondent_id, []).append(row.address)
    return found


def letter_list_csv(rows: list[LetterListRow]) -> str:
    """The download: one line per tenant, text cells made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        cells = (
            row.tenant_ref,
            row.name,
            row.asked_for,
            row.reason,
            row.address,
            row.postcode,
            "; ".join(row.phones),
            row.email,
        )
        writer.writerow([neutralise(cell if cell is not None else "") for cell in cells])
    return out.getvalue()
