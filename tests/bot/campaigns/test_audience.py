"""Who a campaign reaches: profile filters, segments, "not surveyed lately", samples."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, update

from bot.campaigns.audience import select_targets
from bot.campaigns.spec import Audience, Sample
from bot.service import Service
from bot.storage.models import table
from bot.storage.segment_models import Segment, SegmentMembership, SegmentRun
from bot.storage.tables import RESPONDENTS
from tests.support.campaigns import add_tenant, create, phone, targets, tick
from tests.support.chat import Chat
from tests.support.services import Clock


def choose(
    service: Service, clock: Clock, audience: dict[str, object], sample: Sample | None = None
) -> set[int]:
    with service.database.engine.connect() as connection:
        selection = select_targets(
            connection, Audience.model_validate(audience), sample, 3, clock.now
        )
    return {respondent_id for respondent_id, _ in selection.chosen}


def test_filters_on_area_tenure_attributes_and_segment(service: Service, clock: Clock) -> None:
    north_rent = add_tenant(
        service, "A", sms=phone(1),
        attributes={"area": "North", "tenure": "low_cost_rental", "household_size": 2,
                    "needs": ["large print", "interpreter"], "segment": "Busy families"},
    )  # fmt: skip
    north_owner = add_tenant(
        service, "B", sms=phone(2), attributes={"area": "north", "tenure": "shared_ownership"}
    )
    south_rent = add_tenant(
        service, "C", sms=phone(3), attributes={"area": "South", "tenure": "low_cost_rental"}
    )
    assert choose(service, clock, {"area": "North"}) == {north_rent, north_owner}
    assert choose(service, clock, {"tenure": ["low_cost_rental"]}) == {north_rent, south_rent}
    assert choose(service, clock, {"area": "north", "tenure": "low_cost_rental"}) == {north_rent}
    assert choose(service, clock, {"attributes": {"household_size": [1, 2]}}) == {north_rent}
    assert choose(service, clock, {"attributes": {"needs": "interpreter"}}) == {north_rent}
    assert choose(service, clock, {"segment": "busy families"}) == {north_rent}
    assert choose(service, clock, {"tenant_refs": ["B", "C"]}) == {north_owner, south_rent}
    assert choose(service, clock, {}) == {north_rent, north_owner, south_rent}


def test_segment_falls_back_to_the_latest_segmentation_run(service: Service, clock: Clock) -> None:
    tenant = add_tenant(service, "A", sms=phone(1))
    add_tenant(service, "B", sms=phone(2))
    with service.database.engine.begin() as connection:
        run = connection.execute(
            insert(table(SegmentRun)).values(
                method="kmeans", seed=1, k=2, criterion="silhouette", tenants=2, segmented=2,
                not_enough_data=0, created_at=clock.now, scores={}, params={},
            ).returning(table(SegmentRun).c.id)
        ).scalar_one()  # fmt: skip
        segment = connection.execute(
            insert(table(Segment)).values(
                run_id=run, code="S1", label="Digital first", size=1, portrait=[], summary={},
                centroid=[],
            ).returning(table(Segment).c.id)
        ).scalar_one()  # fmt: skip
        connection.execute(
            insert(table(SegmentMembership)).values(
                run_id=run, respondent_id=tenant, segment_id=segment, code="S1",
                label="Digital first", assigned_at=clock.now,
            )
        )  # fmt: skip
    assert choose(service, clock, {"segment": ["Digital first"]}) == {tenant}
    assert choose(service, clock, {"segment": "s1"}) == {tenant}


def test_not_surveyed_in_n_days_and_only_known_tenants(service: Service, clock: Clock) -> None:
    recent = add_tenant(service, "A", sms=phone(1))
    fresh = add_tenant(service, "B", sms=phone(2))
    erased = add_tenant(service, "C", sms=phone(3))
    with service.database.engine.begin() as connection:
        connection.execute(
            update(RESPONDENTS).where(RESPONDENTS.c.id == erased).values(erased_at=clock.now)
        )
    Chat(service.engine, address=phone(1)).send("repair")  # a survey today
    Chat(service.engine, address=phone(9)).send("repair")  # someone with no tenant record
    assert choose(service, clock, {"not_surveyed_days": 30}) == {fresh}
    clock.advance(days=31)
    assert choose(service, clock, {"not_surveyed_days": 30}) == {recent, fresh}


def test_a_stratified_sample_from_a_margin_of_error(service: Service, clock: Clock) -> None:
    for number in range(300):
        area = "North" if number < 200 else "South"
        add_tenant(service, f"T{number}", sms=phone(number), attributes={"area": area})
    sample = Sample(method="stratified", margin=0.1, by="area")
    with service.database.engine.connect() as connection:
        selection = select_targets(connection, Audience(), sample, 5, clock.now)
    # 300 homes at ±10%: n0 = 96.04, n = 96.04 / (1 + 95.04 / 300) = 72.9 -> 73.
    assert selection.population == 300 and len(selection.chosen) == 73
    assert Counter(stratum for _, stratum in selection.chosen) == {"North": 49, "South": 24}
    assert "73 responses needed" in selection.sample_note
    with service.database.engine.connect() as connection:
        again = select_targets(connection, Audience(), sample, 5, clock.now)
    assert again.chosen == selection.chosen


def test_a_campaign_invites_only_its_sample(service: Service, clock: Clock) -> None:
    for number in range(40):
        add_tenant(
            service, f"T{number}", sms=phone(number), attributes={"tenure": "low_cost_rental"}
        )
    campaign = create(
        service, clock, audience={"tenure": "low_cost_rental"},
        sample={"method": "random", "size": 10}, seed=11,
    )  # fmt: skip
    assert tick(service, clock).invited == 10
    assert len(targets(service, campaign)) == 10
