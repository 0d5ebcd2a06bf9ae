"""One process leads the background work: on PostgreSQL by an advisory lock, on SQLite always."""

from __future__ import annotations

from bot.storage.db import Database
from bot.storage.leader import LeaderLock


def test_one_leader_at_a_time_and_another_takes_over(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    leader, other = LeaderLock(first), LeaderLock(second)
    try:
        assert leader.try_acquire()
        if database_url.startswith("postgresql"):
            assert not other.try_acquire()  # one process leads
            leader.release()
            assert other.try_acquire()  # and when it goes, another takes over
            assert not leader.try_acquire()
        else:  # SQLite is served from one process: it always leads
            assert other.try_acquire()
    finally:
        leader.release()
        other.release()
        first.dispose()
        second.dispose()
