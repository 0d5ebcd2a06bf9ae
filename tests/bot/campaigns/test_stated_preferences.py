"""Stated preferences honoured: letter and phone tenants are not messaged but listed."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.access.users import Principal, Role
from bot.campaigns.letter_list import letter_list, letter_list_csv
from bot.campaigns.report import skipped_by_reason
from bot.service import Service
from bot.storage.tables import AUDIT
from tests.support.campaigns import add_tenant, create, outbox, phone, targets, tick
from tests.support.services import Clock

OFFICER = Principal("user", 8, "olive@example.org", Role.OFFICER, True)
ANALYST = Principal("user", 7, "ana@example.org", Role.ANALYST, False)
LETTER = "The tenant asked to be contacted by letter, not by message: write to them."


def test_a_tenant_who_said_letter_gets_no_sms_and_is_on_the_letter_list(
    service: Service, clock: Clock
) -> None:
    add_tenant(
        service,
        "T1",
        sms=phone(1),
        attributes={"preferred_channel": "letter", "address": "1 High St", "postcode": "AB1 2CD"},
    )
    add_tenant(service, "T2", sms=phone(2), attributes={"preferred_channel": "phone"})
    add_tenant(service, "T3", sms=phone(3), attributes={"preferred_channel": ["letter", "sms"]})
    add_tenant(service, "T4", sms=phone(4))
    campaign = create(service, clock)
    assert tick(service, clock).invited == 2
    assert sorted(row.address for row in outbox(service)) == [phone(3), phone(4)]
    skipped = {row.skip_reason for row in targets(service, campaign) if row.status == "skipped"}
    assert LETTER in skipped

    with service.database.engine.begin() as connection:
        reasons = skipped_by_reason(connection, campaign)
        rows = letter_list(connection, campaign, OFFICER, clock.now).rows
        with pytest.raises(PermissionError, match="ask an administrator"):
            letter_list(connection, campaign, ANALYST, clock.now)
        audited = connection.execute(select(AUDIT.c.action, AUDIT.c.row_count)).all()
    assert reasons == {
        LETTER: 1,
        "The tenant asked to be contacted by phone, not by message: call them.": 1,
    }
    assert [(row.tenant_ref, row.asked_for) for row in rows] == [("T1", "letter"), ("T2", "phone")]
    first = rows[0]
    assert (first.reason, first.address, first.postcode) == (LETTER, "1 High St", "AB1 2CD")
    assert first.phones == (phone(1),)
    download = list(csv.reader(io.StringIO(letter_list_csv(rows))))
    assert download[0][:4] == [
        "Tenant reference",
        "Name",
        "Asked for",
        "Why they were not messaged",
    ]
    # A leading + is quoted so that a spreadsheet reads it as text, not a formula.
    assert download[1][:7] == ["T1", "", "a letter", LETTER, "1 High St", "AB1 2CD", f"'{phone(1)}"]
    assert audited == [("campaign_letter_list", 2)]
