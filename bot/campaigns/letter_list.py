"""Tenants a campaign does not message because they asked for a letter or a call.

The one builder behind the console download (`/console/campaigns/{id}/letters`) and
`doorstep campaign letters`. Officers call or write to these tenants instead, so the list is
identifiable (name, address, phone numbers): only for people who see contact details
(officers and admins, never analysts or machines without that role), and every download is
audited.

Once the campaign has started, the list is its targets skipped for that reason (the reason
officers read is the one stored on the target). Before, nobody is chosen yet: the tenants the
campaign would choose are listed with the reason their stated preference will give.

    found = letter_list(connection, campaign_id, principal, now)  # PermissionError if not allowed
    body = letter_list_csv(found.rows)
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from bot.access.audit import audit
from bot.access.users import Principal
from bot.campaigns.models import TargetStatus
from bot.campaigns.offline import WORDS, offline_preferences
from bot.campaigns.report import chosen_ids
from bot.campaigns.store import CampaignRow, load_campaign
from bot.outreach.channel_choice import NOT_BY_MESSAGE
from bot.spreadsheet import neutralise
from bot.storage.tables import IDENTITIES, PROFILE, RESPONDENTS, TARGETS

HEADER = (
    "Tenant reference",
    "Name",
    "Asked for",
    "Why they were not messaged",
    "Address",
    "Postcode",
    "Phone numbers",
    "Email",
)
NOT_ALLOWED = "Your account may not see tenants' names and addresses; ask an administrator."
AUDIT_ACTION = "campaign_letter_list"
_BATCH = 500  # bounded IN lists on both databases


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


@dataclass(frozen=True)
class LetterList:
    campaign: CampaignRow
    rows: list[LetterListRow]


def letter_list(
    connection: Connection, key: str | int, principal: Principal, now: datetime.datetime
) -> LetterList:
    """The tenants to write to or call for this campaign; audited, allowed roles only."""
    if not principal.sees_contact_details:
        raise PermissionError(NOT_ALLOWED)
    campaign = load_campaign(connection, key)
    wanted = _skipped(connection, campaign.id) or _would_skip(connection, campaign, now)
    people = _people(connection, sorted(wanted))
    details = _details(connection, sorted(wanted))
    phones = _phones(connection, sorted(wanted))
    rows = [
        LetterListRow(
            row.tenant_ref,
            row.name,
            wanted[row.id][0],
            wanted[row.id][1],
            details.get((row.id, "address")),
            details.get((row.id, "postcode")),
            tuple(phones.get(row.id, [])),
            details.get((row.id, "email")),
        )
        for row in people
    ]
    rows.sort(key=lambda row: row.tenant_ref or "")
    audit(connection, principal, AUDIT_ACTION, f"campaign {campaign.id}", row_count=len(rows))
    return LetterList(campaign, rows)


def _skipped(connection: Connection, campaign_id: int) -> dict[int, tuple[str, str]]:
    """respondent id -> (asked for, reason) of the started campaign's targets."""
    asked_for = {reason: channel for channel, reason in NOT_BY_MESSAGE.items()}
    rows = connection.execute(
        select(TARGETS.c.respondent_id, TARGETS.c.skip_reason).where(
            TARGETS.c.campaign_id == campaign_id,
            TARGETS.c.status == TargetStatus.SKIPPED,
            TARGETS.c.skip_reason.in_(list(asked_for)),
        )
    ).all()
    return {int(row.respondent_id): (asked_for[row.skip_reason], row.skip_reason) for row in rows}


def _would_skip(
    connection: Connection, campaign: CampaignRow, now: datetime.datetime
) -> dict[int, tuple[str, str]]:
    """Before the start: the tenants it would choose who asked for a letter or a call."""
    has_targets = connection.execute(
        select(TARGETS.c.id).where(TARGETS.c.campaign_id == campaign.id).limit(1)
    ).first()
    if has_targets is not None:
        return {}
    found = offline_preferences(connection, chosen_ids(connection, campaign, now))
    return {respondent: (wants, NOT_BY_MESSAGE[wants]) for respondent, wants in found.items()}


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + _BATCH] for start in range(0, len(ids), _BATCH)]


def _people(connection: Connection, ids: list[int]) -> list[Any]:
    found: list[Any] = []
    for chunk in _chunks(ids):
        found += connection.execute(
            select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref, RESPONDENTS.c.name).where(
                RESPONDENTS.c.id.in_(chunk), RESPONDENTS.c.erased_at.is_(None)
            )
        ).all()
    return found


def _details(connection: Connection, ids: list[int]) -> dict[tuple[int, str], str]:
    found: dict[tuple[int, str], str] = {}
    for chunk in _chunks(ids):
        rows = connection.execute(
            select(PROFILE.c.respondent_id, PROFILE.c.name, PROFILE.c.value).where(
                PROFILE.c.respondent_id.in_(chunk),
                PROFILE.c.name.in_(("address", "postcode", "email")),
                PROFILE.c.superseded_at.is_(None),
            )
        ).all()
        found.update({(row.respondent_id, row.name): str(row.value) for row in rows})
    return found


def _phones(connection: Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        rows = connection.execute(
            select(IDENTITIES.c.respondent_id, IDENTITIES.c.address)
            .where(IDENTITIES.c.respondent_id.in_(chunk), IDENTITIES.c.channel == "sms")
            .order_by(IDENTITIES.c.id)
        ).all()
        for row in rows:
            found.setdefault(row.respondent_id, []).append(row.address)
    return found


def letter_list_csv(rows: list[LetterListRow]) -> str:
    """The download: one line per tenant, in words, text cells made safe for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        cells = (
            row.tenant_ref,
            row.name,
            WORDS[row.asked_for],
            row.reason,
            row.address,
            row.postcode,
            "; ".join(row.phones),
            row.email,
        )
        writer.writerow([neutralise(cell if cell is not None else "") for cell in cells])
    return out.getvalue()
