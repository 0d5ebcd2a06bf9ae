"""A campaign's states, pausing and cancelling, its end, its pace and its progress counts."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import update

from bot.campaigns import lifecycle
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.models import CampaignState
from bot.campaigns.spec import CampaignSpecError, parse_spec
from bot.campaigns.store import UnknownCampaign, load_campaign
from bot.service import Service
from bot.storage.tables import OUTBOUND
from tests.support.campaigns import (
    add_tenants,
    create,
    outbox,
    phone,
    progress,
    spec,
    targets,
    tick,
)
from tests.support.chat import Chat
from tests.support.services import Clock


def state(service: Service, campaign_id: int) -> CampaignState:
    with service.database.engine.connect() as connection:
        return load_campaign(connection, campaign_id).state


def act(service: Service, action: str, key: str | int, clock: Clock) -> None:
    with service.database.engine.begin() as connection:
        getattr(lifecycle, action)(connection, key, clock.now)


def test_the_state_machine_allows_only_its_transitions(service: Service, clock: Clock) -> None:
    add_tenants(service, 1)
    clock.advance(days=1)
    campaign = create(service, clock, scheduled=False)
    assert state(service, campaign) is CampaignState.DRAFT
    with pytest.raises(CampaignStateError, match="is draft, so it cannot be paused"):
        act(service, "pause", campaign, clock)
    act(service, "schedule", "Autumn check-in", clock)
    with pytest.raises(CampaignStateError, match="only a draft campaign can"):
        act(service, "schedule", campaign, clock)
    act(service, "pause", campaign, clock)  # before it starts
    act(service, "resume", campaign, clock)
    assert state(service, campaign) is CampaignState.SCHEDULED
    tick(service, clock)
    assert state(service, campaign) is CampaignState.RUNNING
    act(service, "pause", campaign, clock)
    with pytest.raises(CampaignStateError, match="only a scheduled or running campaign"):
        act(service, "pause", campaign, clock)
    act(service, "resume", campaign, clock)
    assert state(service, campaign) is CampaignState.RUNNING
    act(service, "cancel", campaign, clock)
    for action in ("schedule", "pause", "resume", "cancel"):
        with pytest.raises(CampaignStateError, match="is cancelled"):
            act(service, action, campaign, clock)
    with pytest.raises(UnknownCampaign, match="No campaign is called 'Nope'"):
        act(service, "pause", "Nope", clock)


def test_bad_specifications_are_explained_field_by_field(service: Service, clock: Clock) -> None:
    with pytest.raises(CampaignSpecError) as caught:
        parse_spec(
            spec(
                clock,
                hours="20:00-09:00",
                channels=["sms", "fax"],
                sample={"method": "stratified", "size": 10},
                reminders=9,
            )
        )
    text = str(caught.value)
    assert "The channels: 'fax' is not a channel" in text
    assert "stratified sample needs `by`" in text
    assert "The number of reminders must be at most 5." in text
    with pytest.raises(CampaignSpecError, match="start before they end"):
        parse_spec(spec(clock, hours="20:00-09:00"))
    create(service, clock)
    with pytest.raises(CampaignSpecError, match="already exists"):
        create(service, clock)
    with pytest.raises(CampaignSpecError, match="no questionnaire 'nothing' is loaded"):
        create(service, clock, name="Other", questionnaire="nothing")


def test_pausing_holds_unsent_invitations_and_resuming_sends_each_once(
    service: Service, clock: Clock
) -> None:
    add_tenants(service, 6)
    campaign = create(service, clock, send_rate_per_minute={"sms": 6}, reminders=0)
    tick(service, clock, horizon=datetime.timedelta(seconds=25))  # three slots: 0, 10, 20 s
    assert len(outbox(service)) == 3
    first = outbox(service)[0].id
    with service.database.engine.begin() as connection:  # the dispatcher sent the first one
        connection.execute(update(OUTBOUND).where(OUTBOUND.c.id == first).values(status="sent"))
    act(service, "pause", campaign, clock)
    assert [row.status for row in outbox(service)] == ["sent", "cancelled", "cancelled"]
    assert sorted(row.status for row in targets(service, campaign)) == [
        "held", "held", "invited", "pending", "pending", "pending",
    ]  # fmt: skip
    clock.advance(minutes=5)
    assert tick(service, clock).invited == 0  # paused: nothing moves
    act(service, "resume", campaign, clock)
    for _ in range(3):
        tick(service, clock, horizon=datetime.timedelta(minutes=2))
        clock.advance(minutes=2)
    live = [row for row in outbox(service) if row.status != "cancelled"]
    assert sorted(row.address for row in live) == [phone(n) for n in range(6)]
    assert {row.status for row in targets(service, campaign)} == {"invited"}
    # The held invitations went again in the same conversation, not a new one.
    held = [row for row in outbox(service) if row.status == "cancelled"]
    assert {row.session_id for row in held} <= {row.session_id for row in live}


def test_cancelling_withdraws_unsent_invitations_and_closes_everything(
    service: Service, clock: Clock
) -> None:
    add_tenants(service, 4)
    campaign = create(service, clock, send_rate_per_minute={"sms": 6})
    tick(service, clock, horizon=datetime.timedelta(seconds=15))
    act(service, "cancel", campaign, clock)
    assert {row.status for row in outbox(service)} == {"cancelled"}
    assert {row.status for row in targets(service, campaign)} == {"skipped"}
    assert {row.skip_reason for row in targets(service, campaign)} == {
        "The campaign was cancelled."
    }
    # Their invitations never left, so the tenants are free for the next survey.
    assert "How satisfied" in Chat(service.engine, address=phone(0)).send("repair") + Chat(
        service.engine, address=phone(0)
    ).send("yes")


def test_a_campaign_completes_after_its_end(service: Service, clock: Clock) -> None:
    add_tenants(service, 3)
    campaign = create(
        service,
        clock,
        ends_at=(clock.now + datetime.timedelta(hours=1)).isoformat(),
        send_rate_per_minute={"sms": 1},
    )
    tick(service, clock, horizon=datetime.timedelta(minutes=1))
    clock.advance(hours=2)
    assert tick(service, clock).completed == 1
    assert state(service, campaign) is CampaignState.COMPLETED
    statuses = sorted((row.status, row.skip_reason or "") for row in targets(service, campaign))
    assert statuses[0][0] == "closed" and statuses[-1] == (
        "skipped",
        "The campaign ended before this tenant could be invited.",
    )


def test_the_campaign_rate_spreads_invitations(service: Service, clock: Clock) -> None:
    add_tenants(service, 10)
    create(service, clock, send_rate_per_minute={"sms": 30}, reminders=0)
    tick(service, clock, horizon=datetime.timedelta(seconds=30))
    gaps = {
        (later.due_at - earlier.due_at).total_seconds()
        for earlier, later in zip(outbox(service), outbox(service)[1:], strict=False)
    }
    assert len(outbox(service)) == 10 and gaps == {2.0}
    assert outbox(service)[0].due_at == clock.now


def test_the_contact_fatigue_guard_skips_tenants_invited_too_often(
    service: Service, clock: Clock
) -> None:
    service.settings.contact_max_invitations = 1
    add_tenants(service, 2)
    create(service, clock, reminders=0, session_expiry_days=1)
    tick(service, clock)
    clock.advance(days=2)
    second = create(service, clock, name="Again", reminders=0)
    tick(service, clock)
    assert {row.skip_reason for row in targets(service, second)} == {
        "The tenant already had 1 invitation(s) in the last 30 days (the limit is 1)."
    }


def test_progress_counts_per_channel(service: Service, clock: Clock) -> None:
    add_tenants(service, 5)
    campaign = create(service, clock, reminders=0)
    tick(service, clock)
    rows = outbox(service)
    with service.database.engine.begin() as connection:
        for row, status in zip(
            rows, ("delivered", "delivered", "sent", "failed", "sent"), strict=True
        ):
            connection.execute(
                update(OUTBOUND).where(OUTBOUND.c.id == row.id).values(status=status)
            )
    answer = Chat(service.engine, address=phone(0))
    for reply in ("yes", "2", "no", "yes", "1", "fine"):
        answer.send(reply)
    Chat(service.engine, address=phone(1)).send("no")
    Chat(service.engine, address=phone(2)).send("yes")
    Chat(service.engine, address=phone(4)).send("STOP")
    counts = progress(service, campaign)
    assert counts["sms"] == {
        "targeted": 5,
        "skipped": 0,
        "waiting": 0,
        "sent": 4,
        "delivered": 2,
        "started": 2,
        "completed": 1,
        "declined": 1,
        "opted_out": 1,
        "failed": 1,
    }
    assert counts["all"] == counts["sms"]
