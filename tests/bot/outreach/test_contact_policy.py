"""The contact-fatigue guard and the do-not-contact list."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.outreach.contact_policy import (
    add_do_not_contact,
    may_contact,
    record_invitation,
    remove_do_not_contact,
)
from bot.service import Service
from bot.storage.tables import RESPONDENTS
from tests.support.repairs import tenant, with_settings
from tests.support.services import Clock

SMS = "+447700900001"


def allowed(
    service: Service, respondent_id: int, clock: Clock, address: str = SMS
) -> tuple[bool, str | None]:
    with service.database.engine.begin() as connection:
        decision = may_contact(
            connection, respondent_id, "sms", address, clock.now, settings=service.settings
        )
    return decision.allowed, decision.reason


def invite(service: Service, respondent_id: int, clock: Clock, kind: str, reference: int) -> None:
    with service.database.engine.begin() as connection:
        record_invitation(connection, respondent_id, "sms", kind, reference, clock.now)


def test_at_most_n_invitations_per_period_across_campaigns_and_repairs(
    service: Service, clock: Clock
) -> None:
    service = with_settings(service, contact_max_invitations=2, contact_period_days=30)
    tenant_id = tenant(service, "T-1", sms=SMS)
    other = tenant(service, "T-2", sms="+447700900002")
    invite(service, tenant_id, clock, "campaign", 7)
    assert allowed(service, tenant_id, clock) == (True, None)
    clock.advance(days=3)
    invite(service, tenant_id, clock, "repair", 12)
    assert allowed(service, tenant_id, clock) == (
        False,
        "The tenant already had 2 invitation(s) in the last 30 days (the limit is 2).",
    )
    assert allowed(service, other, clock, "+447700900002")[0]  # counted per tenant
    clock.advance(days=27, minutes=1)  # the first has left the period
    assert allowed(service, tenant_id, clock)[0]


def test_the_do_not_contact_list_blocks_a_tenant_or_one_address(
    service: Service, clock: Clock
) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS)
    with service.database.engine.begin() as connection:
        assert add_do_not_contact(
            connection, respondent_id=tenant_id, reason="bereavement", now=clock.now
        )
        assert not add_do_not_contact(
            connection, respondent_id=tenant_id, reason="again", now=clock.now
        )
    assert allowed(service, tenant_id, clock) == (
        False,
        "The tenant is on the do-not-contact list (bereavement).",
    )
    with service.database.engine.begin() as connection:
        assert remove_do_not_contact(connection, respondent_id=tenant_id)
        add_do_not_contact(
            connection, channel="sms", address=SMS, reason="wrong number", now=clock.now
        )
    assert allowed(service, tenant_id, clock) == (
        False,
        "The contact address is on the do-not-contact list (wrong number).",
    )
    assert allowed(service, tenant_id, clock, "+447700900099")[0]


def test_opted_out_and_erased_tenants_are_never_contacted(service: Service, clock: Clock) -> None:
    opted = tenant(service, "T-1", sms=SMS, opted_out=("sms",))
    assert allowed(service, opted, clock) == (False, "The tenant opted out of sms messages.")
    erased = tenant(service, "T-2", sms="+447700900002")
    with service.database.engine.begin() as connection:
        connection.execute(
            update(RESPONDENTS).where(RESPONDENTS.c.id == erased).values(erased_at=clock.now)
        )
    assert allowed(service, erased, clock, "+447700900002") == (
        False,
        "The tenant's personal data was erased.",
    )


def test_an_unknown_kind_is_refused(service: Service, clock: Clock) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS)
    with pytest.raises(ValueError, match="kind must be one of"):
        invite(service, tenant_id, clock, "newsletter", 1)


def test_a_decision_is_truthy_only_when_allowed(service: Service, clock: Clock) -> None:
    tenant_id = tenant(service, "T-1", sms=SMS, opted_out=("sms",))
    with service.database.engine.begin() as connection:
        decision = may_contact(
            connection, tenant_id, "sms", SMS, clock.now, settings=service.settings
        )
    assert not decision
