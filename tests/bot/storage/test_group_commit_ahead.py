"""First statements sent ahead: a batch's first statements travel together (PostgreSQL's
pipeline), with the same outcome as running the pieces one after another."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, exc, insert, select

from bot.engine.messages import InboundMessage, OutboundMessage
from bot.service import Service
from bot.storage.db import Database
from bot.storage.group_commit import Ahead, GroupCommit, later
from bot.storage.models import Answer
from bot.storage.prepared import Prepared
from bot.storage.tables import INBOUND
from tests.support.batches import behind_held_writer

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
RECORD = Prepared(
    insert(INBOUND)
    .values(
        channel="sms", provider_id=bindparam("pid"), text="hi",
        received_at=bindparam("at", type_=INBOUND.c.received_at.type),
    )
    .returning(INBOUND.c.id)
)  # fmt: skip


class Recording:
    """Work that records one inbound row, either way: whole, or its insert sent ahead."""

    def __init__(self, sid: str, owner: str, ran: list[tuple[str, str]]) -> None:
        self.sid, self.owner, self.ran = sid, owner, ran

    def __call__(self, connection: Connection) -> str:
        RECORD.execute(connection, {"pid": self.sid, "at": NOW})
        self.ran.append(("whole", self.sid))
        return self.sid

    def ahead(self) -> Ahead[str]:
        def send(connection: Connection) -> Callable[[], Any]:
            driver: Any = connection.connection.dbapi_connection
            if connection.dialect.name == "postgresql":  # only queued, not yet run
                assert driver.pgconn.pipeline_status != 0
            return RECORD.send(connection, {"pid": self.sid, "at": NOW})

        def then(_connection: Connection, rows: Any) -> str:
            assert rows[0].id is not None
            self.ran.append(("ahead", self.sid))
            return self.sid

        return Ahead(send=send, owner=lambda _rows: self.owner, then=then)


class RecordingLater(Recording):
    """Recording's work, plus a second row written last: with the commit, where it may."""

    def __init__(self, sid: str, owner: str, ran: list[tuple[str, str]], last: str) -> None:
        super().__init__(sid, owner, ran)
        self.last = last
        self.written: list[int] = []  # the last row's id, once written

    def ahead(self) -> Ahead[str]:
        first = super().ahead()

        def then(connection: Connection, rows: Any) -> str:
            first.then(connection, rows)
            self.write_last(connection)
            return self.sid

        return Ahead(send=first.send, owner=first.owner, then=then)

    def __call__(self, connection: Connection) -> str:
        super().__call__(connection)
        self.write_last(connection)
        return self.sid

    def write_last(self, connection: Connection) -> None:
        values = {"pid": self.last, "at": NOW}
        self.written = []  # each run starts afresh, as a turn's replies do (a batch reruns)

        def send(now: Connection) -> Callable[[], Any]:
            driver: Any = now.connection.dbapi_connection
            assert driver.pgconn.pipeline_status != 0  # only queued, with the COMMIT
            self.ran.append(("with the commit", self.last))
            return RECORD.send(now, values)

        def then(rows: Any) -> None:
            self.written.append(rows[0].id)

        if not later(connection, send, then):
            self.ran.append(("at once", self.last))
            then(RECORD.execute(connection, values))


def in_one_batch(writes: GroupCommit, pieces: list[Recording]) -> list[object]:
    """Queue the pieces in this order behind a held writer; each one's result or exception."""
    outcomes: list[object] = [None] * len(pieces)

    def call(number: int) -> None:
        try:
            outcomes[number] = writes.run(pieces[number], pieces[number].ahead())
        except Exception as error:
            outcomes[number] = error

    behind_held_writer(writes, [functools.partial(call, n) for n in range(len(pieces))])
    return outcomes


def stored_sids(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(connection.scalars(select(INBOUND.c.provider_id)))


def test_first_statements_go_ahead_together_on_postgresql(database: Database) -> None:
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    pieces = [Recording(f"SM{n}", f"tenant {n}", ran) for n in range(3)]
    assert in_one_batch(writes, pieces) == ["SM0", "SM1", "SM2"]
    way = "ahead" if database.engine.dialect.name == "postgresql" else "whole"
    assert ran == [(way, "SM0"), (way, "SM1"), (way, "SM2")]
    assert stored_sids(database) == ["SM0", "SM1", "SM2"]


def test_one_owners_two_pieces_run_again_one_after_another(database: Database) -> None:
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    pieces = [Recording("SM0", "a", ran), Recording("SM1", "b", ran), Recording("SM2", "a", ran)]
    assert in_one_batch(writes, pieces) == ["SM0", "SM1", "SM2"]
    assert ran == [("whole", "SM0"), ("whole", "SM1"), ("whole", "SM2")]
    assert stored_sids(database) == ["SM0", "SM1", "SM2"]  # the rows sent ahead rolled back


def test_a_first_statement_failing_ahead_fails_its_piece_alone(database: Database) -> None:
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    assert writes.run(Recording("SM1", "a", ran)) == "SM1"
    pieces = [Recording("SM0", "b", ran), Recording("SM1", "a", ran), Recording("SM2", "c", ran)]
    first, duplicate, last = in_one_batch(writes, pieces)
    assert (first, last) == ("SM0", "SM2") and isinstance(duplicate, exc.IntegrityError)
    assert stored_sids(database) == ["SM0", "SM1", "SM2"]


def test_work_run_whole_after_sending_ahead_is_still_one_transaction(
    database: Database,
) -> None:
    """Sending ahead begins the transaction by hand; the next transaction is the driver's."""
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    assert writes.run(Recording("SM0", "a", ran), Recording("SM0", "a", ran).ahead()) == "SM0"

    def record_then_fail(connection: Connection) -> None:
        RECORD.execute(connection, {"pid": "SM1", "at": NOW})
        RECORD.execute(connection, {"pid": "SM2", "at": NOW})
        raise ValueError("this message cannot be handled")

    with pytest.raises(ValueError):
        writes.run(record_then_fail)
    pieces = [Recording("SM3", "b", ran), Recording("SM4", "b", ran)]  # run again, whole
    assert in_one_batch(writes, pieces) == ["SM3", "SM4"]
    with pytest.raises(ValueError):
        writes.run(record_then_fail)
    assert stored_sids(database) == ["SM0", "SM3", "SM4"]


def sms(sid: str, text: str, address: str) -> InboundMessage:
    return InboundMessage("sms", address, sid, text, NOW)


def answers_and_replies(
    service: Service, address: str, replies: list[list[OutboundMessage]]
) -> tuple[list[tuple[str, str | None]], list[list[str]]]:
    with service.database.sessions() as session:
        rows = session.scalars(
            select(Answer).join(INBOUND, INBOUND.c.id == Answer.inbound_message_id)
            .where(INBOUND.c.provider_id.startswith(address)).order_by(Answer.id)
        ).all()  # fmt: skip
    return [(row.question, row.raw_text) for row in rows], [
        [message.body for message in batch] for batch in replies
    ]


@pytest.mark.parametrize("texts", [["2", "no"], ["2", "2"]])
def test_one_tenants_messages_in_one_batch_answer_as_one_after_another(
    service: Service, monkeypatch: pytest.MonkeyPatch, texts: list[str]
) -> None:
    writes = GroupCommit(service.database.engine)
    monkeypatch.setattr(service.database, "writes", writes)
    together, alone = "+447700900123", "+447700900456"
    for address in (together, alone):
        service.engine.handle(sms(f"{address}-a", "REPAIR", address))
        service.engine.handle(sms(f"{address}-b", "yes", address))
    one_by_one = [service.engine.handle(sms(f"{alone}-{t}", text, alone)) for t, text in
                  enumerate(texts)]  # fmt: skip
    replies: list[list[OutboundMessage]] = [[] for _ in texts]

    def deliver(number: int) -> None:
        message = sms(f"{together}-{number}", texts[number], together)
        replies[number] = service.engine.handle(message)

    behind_held_writer(writes, [functools.partial(deliver, n) for n in range(len(texts))])
    assert writes.batched - writes.batches >= 1  # they shared one transaction
    assert answers_and_replies(service, together, replies) == answers_and_replies(
        service, alone, one_by_one
    )


def test_last_statements_go_with_the_commit_on_postgresql(database: Database) -> None:
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    pieces = [RecordingLater(f"SM{n}", f"tenant {n}", ran, f"SM{n}-last") for n in range(3)]
    assert in_one_batch(writes, list(pieces)) == ["SM0", "SM1", "SM2"]
    lone = RecordingLater("SM3", "tenant 3", ran, "SM3-last")
    assert writes.run(lone, lone.ahead()) == "SM3"
    way = "with the commit" if database.engine.dialect.name == "postgresql" else "at once"
    assert [entry for entry in ran if entry[1].endswith("last")] == [
        (way, f"SM{n}-last") for n in range(4)
    ]
    assert all(len(piece.written) == 1 for piece in [*pieces, lone])  # ids handed back
    assert stored_sids(database) == sorted(
        [f"SM{n}" for n in range(4)] + [f"SM{n}-last" for n in range(4)]
    )


def test_a_last_statement_failing_with_the_commit_fails_its_piece_alone(
    database: Database,
) -> None:
    """The pipeline skips the COMMIT; the batch runs again, a savepoint each and every
    statement in order, and only the piece whose last row is a duplicate fails."""
    writes = GroupCommit(database.engine)
    ran: list[tuple[str, str]] = []
    assert writes.run(Recording("taken", "x", ran)) == "taken"
    pieces = [
        RecordingLater("SM0", "a", ran, "SM0-last"),
        RecordingLater("SM1", "b", ran, "taken"),
        RecordingLater("SM2", "c", ran, "SM2-last"),
    ]
    first, failed, last = in_one_batch(writes, list(pieces))
    assert (first, last) == ("SM0", "SM2") and isinstance(failed, exc.IntegrityError)
    assert stored_sids(database) == ["SM0", "SM0-last", "SM2", "SM2-last", "taken"]
    assert [len(piece.written) for piece in pieces] == [1, 0, 1]
    lone = RecordingLater("SM3", "d", ran, "taken")
    with pytest.raises(exc.IntegrityError):
        writes.run(lone, lone.ahead())
    assert "SM3" not in stored_sids(database)  # its first row went with it
