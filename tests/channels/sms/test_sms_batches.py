"""Webhooks that arrive together share one commit; a bad one gets its own error alone."""

from __future__ import annotations

import threading

import pytest
from httpx import Response

from bot.engine.turn import flow
from bot.storage.group_commit import GroupCommit
from bot.storage.models import InboundRecord, OutboundRecord
from tests.support.batches import writer_held
from tests.support.twilio import Twilio, new_sid, twilio_fixture  # noqa: F401

TENANTS = ["+447700900201", "+447700900202", "+447700900203"]


def test_a_bad_message_fails_alone_and_the_rest_of_its_batch_is_answered(
    twilio: Twilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = GroupCommit(twilio.service.database.engine, parallel=1)
    monkeypatch.setattr(twilio.service.database, "writes", writes)
    real = flow.reply_to

    def fails_on_boom(context: flow.TurnContext, text: str) -> object:
        if text == "BOOM":
            raise RuntimeError("a bug meets one message")
        return real(context, text)

    monkeypatch.setattr(flow, "reply_to", fails_on_boom)
    sids = {tenant: new_sid() for tenant in TENANTS}
    texts = {TENANTS[0]: "REPAIR", TENANTS[1]: "BOOM", TENANTS[2]: "REPAIR"}
    responses: dict[str, Response] = {}

    def post(tenant: str) -> None:
        responses[tenant] = twilio.sms(texts[tenant], sender=tenant, sid=sids[tenant])

    threads = [threading.Thread(target=post, args=(tenant,)) for tenant in TENANTS]
    with writer_held(writes) as queued:
        for thread in threads:
            thread.start()
        queued(len(TENANTS))
    for thread in threads:
        thread.join(60)
    statuses = [responses[tenant].status_code for tenant in TENANTS]
    assert statuses == [200, 500, 200], [responses[tenant].text for tenant in TENANTS]
    assert writes.batches == 2 and writes.batched == 4  # the holder, then the three together
    recorded = {row.provider_id for row in twilio.rows(InboundRecord)}  # type: ignore[attr-defined]
    assert recorded == {sids[TENANTS[0]], sids[TENANTS[2]]}
    invited = {row.address for row in twilio.rows(OutboundRecord)}  # type: ignore[attr-defined]
    assert invited == {TENANTS[0], TENANTS[2]}
    # Twilio retries the failed one; once the bug is gone it is answered like any other.
    monkeypatch.setattr(flow, "reply_to", real)
    assert twilio.sms("REPAIR", sender=TENANTS[1], sid=sids[TENANTS[1]]).status_code == 200
    assert len(twilio.rows(InboundRecord)) == 3
