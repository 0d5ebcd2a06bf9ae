"""Group commit: work queued together shares one transaction; a failing piece fails alone."""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, exc, insert, select

from bot.engine.messages import InboundMessage, OutboundMessage
from bot.service import Service
from bot.storage.db import Database
from bot.storage.group_commit import GroupCommit
from bot.storage.models import Answer, InboundRecord
from bot.storage.prepared import Prepared
from bot.storage.tables import INBOUND
from tests.support.batches import writer_held

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)


def recording(sid: str, *, then_fail: bool = False) -> Callable[[Connection], str]:
    """Work that records one inbound row, then (if asked) fails after writing it."""

    def work(connection: Connection) -> str:
        connection.execute(
            insert(INBOUND),
            {"channel": "sms", "provider_id": sid, "text": "hi", "received_at": NOW},
        )
        if then_fail:
            raise ValueError("this message cannot be handled")
        return sid

    return work


def stored_sids(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(connection.scalars(select(INBOUND.c.provider_id)))


def run_together(
    writes: GroupCommit, works: dict[str, Callable[[Connection], str]]
) -> dict[str, object]:
    """Run every piece of work in one batch; each caller's result or exception by name."""
    outcomes: dict[str, object] = {}

    def call(name: str) -> None:
        try:
            outcomes[name] = writes.run(works[name])
        except Exception as error:
            outcomes[name] = error

    threads = [threading.Thread(target=call, args=(name,)) for name in works]
    with writer_held(writes) as queued:
        for thread in threads:
            thread.start()
        queued(len(works))
    for thread in threads:
        thread.join(60)
    return outcomes


def test_work_queued_together_commits_together_and_a_failure_stays_alone(
    database: Database,
) -> None:
    writes = GroupCommit(database.engine, parallel=1)
    outcomes = run_together(
        writes,
        {
            "first": recording("SM1"),
            "broken": recording("SM2", then_fail=True),
            "last": recording("SM3"),
        },
    )
    assert outcomes["first"] == "SM1" and outcomes["last"] == "SM3"
    assert isinstance(outcomes["broken"], ValueError)
    assert writes.batches == 2 and writes.batched == 4  # the holder alone, then the three
    assert stored_sids(database) == {"SM1", "SM3"}  # the broken one's row was rolled back


def test_a_database_error_in_a_batch_fails_that_message_only(database: Database) -> None:
    """On PostgreSQL an error aborts the transaction: only its savepoint is rolled back."""
    writes = GroupCommit(database.engine, parallel=1)
    writes.run(recording("SM1"))
    outcomes = run_together(
        writes,
        {"duplicate": recording("SM1"), "next": recording("SM2"), "other": recording("SM3")},
    )
    assert isinstance(outcomes["duplicate"], exc.IntegrityError)
    assert outcomes["next"] == "SM2" and outcomes["other"] == "SM3"
    assert stored_sids(database) == {"SM1", "SM2", "SM3"}


def test_a_lone_caller_runs_at_once_in_its_own_transaction(database: Database) -> None:
    writes = GroupCommit(database.engine, parallel=1)
    assert writes.run(recording("SM1")) == "SM1"
    with pytest.raises(ValueError):
        writes.run(recording("SM2", then_fail=True))
    assert stored_sids(database) == {"SM1"}
    assert writes.batches == 2 and writes.batched == 2


_RECORD = Prepared(insert(INBOUND), column_keys=["channel", "provider_id", "text", "received_at"])


def prepared_recording(
    sid: str, *, then_core: str | None = None, then_fail: bool = False
) -> Callable[[Connection], str]:
    """Work that records through a prepared statement (straight on the driver), then
    perhaps through Core too (which begins SQLAlchemy's own transaction), then perhaps fails."""

    def work(connection: Connection) -> str:
        _RECORD.execute(
            connection, {"channel": "sms", "provider_id": sid, "text": "hi", "received_at": NOW}
        )
        if then_core is not None:
            recording(then_core)(connection)
        if then_fail:
            raise ValueError("this message cannot be handled")
        return sid

    return work


def test_a_lone_caller_commits_or_rolls_back_whichever_way_its_statements_ran(
    database: Database,
) -> None:
    """On SQLite a lone transaction is begun and committed on the driver; a Core statement
    in the work joins it. Every mix commits whole or not at all, and the connection kept
    for the next caller is never left inside a transaction."""
    writes = GroupCommit(database.engine, parallel=1)
    assert writes.run(prepared_recording("SM1")) == "SM1"
    assert writes.run(prepared_recording("SM2", then_core="SM3")) == "SM2"
    (kept,) = writes._idle  # committed whole, so kept for the next caller
    assert not kept.in_transaction()
    with pytest.raises(ValueError):
        writes.run(prepared_recording("SM4", then_fail=True))
    with pytest.raises(ValueError):
        writes.run(prepared_recording("SM5", then_core="SM6", then_fail=True))
    with pytest.raises(exc.IntegrityError):  # a duplicate key, after a row written by Core
        writes.run(prepared_recording("SM7", then_core="SM1"))
    assert writes.run(prepared_recording("SM8")) == "SM8"
    assert writes.run(recording("SM9")) == "SM9"
    assert stored_sids(database) == {"SM1", "SM2", "SM3", "SM8", "SM9"}
    assert all(not connection.in_transaction() for connection in writes._idle)
    writes.close()


def test_callers_on_an_event_loop_get_their_own_results(database: Database) -> None:
    writes = GroupCommit(database.engine, parallel=1)

    async def main() -> list[object]:
        return await asyncio.gather(
            writes.run_async(recording("SM1")),
            writes.run_async(recording("SM2", then_fail=True)),
            writes.run_async(recording("SM3")),
            return_exceptions=True,
        )

    first, broken, last = asyncio.run(main())
    assert (first, last) == ("SM1", "SM3") and isinstance(broken, ValueError)
    assert stored_sids(database) == {"SM1", "SM3"}


def test_callers_in_one_turn_of_the_event_loop_share_one_batch(database: Database) -> None:
    """The writer is woken after the loop's turn, not by the first caller: when it was
    woken at once, it took the first webhook of a burst alone while the loop was still
    reading the others."""
    writes = GroupCommit(database.engine, parallel=1)
    sids = [f"SM{number}" for number in range(5)]

    async def main() -> tuple[int, list[str]]:
        calls = [asyncio.ensure_future(writes.run_async(recording(sid))) for sid in sids]
        await asyncio.sleep(0)  # every caller has queued its work; no writer woken yet
        queued = writes.waiting
        return queued, list(await asyncio.gather(*calls))

    queued, results = asyncio.run(main())
    assert queued == len(sids)
    assert results == sids
    assert (writes.batches, writes.batched) == (1, len(sids))
    assert stored_sids(database) == set(sids)
    writes.close()


def sms(sid: str, text: str, address: str = "+447700900123") -> InboundMessage:
    return InboundMessage("sms", address, sid, text, NOW)


def test_a_retried_message_in_the_same_batch_or_a_later_one_records_one_answer(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = GroupCommit(service.database.engine, parallel=1)
    monkeypatch.setattr(service.database, "writes", writes)
    service.engine.handle(sms("SM-a", "REPAIR"))
    service.engine.handle(sms("SM-b", "yes"))
    replies: dict[str, list[OutboundMessage]] = {}

    def deliver(name: str, message: InboundMessage) -> None:
        replies[name] = service.engine.handle(message)

    copies = {
        "copy 1": sms("SM-c", "2"),
        "copy 2": sms("SM-c", "2"),
        "someone else": sms("SM-d", "REPAIR", address="+447700900456"),
    }
    threads = [threading.Thread(target=deliver, args=item) for item in copies.items()]
    with writer_held(writes) as queued:
        for thread in threads:
            thread.start()
        queued(len(threads))
    for thread in threads:
        thread.join(60)
    later = service.engine.handle(sms("SM-c", "2"))
    assert writes.batched - writes.batches >= 2  # the three shared one transaction
    assert replies["copy 1"] == replies["copy 2"] == later != []
    assert replies["someone else"] != []
    with service.database.sessions() as session:
        assert len(session.scalars(select(Answer)).all()) == 1
        sids = session.scalars(select(InboundRecord.provider_id)).all()
    assert sorted(sids) == ["SM-a", "SM-b", "SM-c", "SM-d"]
