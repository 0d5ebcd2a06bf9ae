"""Erasing a tenant keeps their open cases, anonymised, with the home they are about."""

from __future__ import annotations

from sqlalchemy import select

from bot.concerns import queries
from bot.concerns.models import ConcernStatus
from bot.privacy import rights
from bot.service import Service
from bot.storage.tables import CONCERNS
from tests.support.auth import add_tenant
from tests.support.concerns import comment_after_repair, set_profile


def test_erasure_keeps_the_open_case_anonymised(service: Service) -> None:
    respondent_id = add_tenant(service, "T-7")
    now = service.engine.clock()
    set_profile(
        service, respondent_id, estate="Riverside", area="Cardiff, Wales", postcode="CF10 1AA"
    )
    comment_after_repair(service, "the walls are mouldy and there is a gas smell")
    with service.database.engine.begin() as connection:
        [damp, gas] = connection.execute(select(CONCERNS).order_by(CONCERNS.c.id)).all()
        assert (damp.property_ref, damp.nation) == ("Riverside, Cardiff, Wales, CF10 1AA", "wales")
        queries.acknowledge(connection, damp.id, by="officer", note="Ann says hi", now=now)
        queries.close(connection, gas.id, by="officer", note="Engineer visited.", now=now)
        result = rights.erase(connection, service.registry, "T-7", now, "admin")
    assert result.cases_kept == 1

    with service.database.engine.connect() as connection:
        [kept] = connection.execute(select(CONCERNS)).all()
        listed = queries.list_concerns(
            connection, service.registry, status=None, personal=True, now=now
        )
    assert kept.id == damp.id and kept.status == ConcernStatus.ACKNOWLEDGED
    assert kept.note is None and kept.property_ref == "Riverside, Cardiff, Wales, CF10 1AA"
    [item] = listed
    assert item["tenant_ref"] is None and "erased" in item["tenant"]
    assert "mouldy" not in str(item["answer"])  # the tenant's words are gone
    assert item["reason"] == "words: mould"


def test_a_case_with_no_tenant_behind_it_says_anonymous(service: Service) -> None:
    comment_after_repair(service, "condensation everywhere")
    with service.database.engine.connect() as connection:
        [item] = queries.list_concerns(
            connection, service.registry, status=None, personal=True, now=service.engine.clock()
        )
    assert item["tenant"] == "anonymous"
