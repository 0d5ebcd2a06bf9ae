"""Forming a batch on purpose: hold the writer, queue work behind it, then let it go."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from bot.storage.group_commit import GroupCommit

WAIT = 60.0  # generous: a loaded machine is slow, and nothing here is timed


@contextmanager
def writer_held(writes: GroupCommit) -> Iterator[Callable[[int], None]]:
    """While the block runs, the one writer is busy; `queued(n)` waits for n queued behind it.

    On leaving the block the writer is released and the queued work runs as one batch.
    """
    busy, release = threading.Event(), threading.Event()

    def hold(_connection: Connection) -> None:
        busy.set()
        release.wait(WAIT)

    holder = threading.Thread(target=writes.run, args=(hold,))
    holder.start()
    assert busy.wait(WAIT), "the writer never started"

    def queued(count: int) -> None:
        deadline = time.monotonic() + WAIT
        while writes.waiting < count:
            assert time.monotonic() < deadline, f"only {writes.waiting} of {count} queued"
            time.sleep(0.005)

    try:
        yield queued
    finally:
        release.set()
        holder.join(WAIT)


def behind_held_writer(writes: GroupCommit, calls: list[Callable[[], None]]) -> None:
    """Start each call on its own thread, in order, queued behind a held writer (so they
    form one batch when it lets go), and wait for them all."""
    threads = [threading.Thread(target=call) for call in calls]
    with writer_held(writes) as queued:
        for number, thread in enumerate(threads, start=1):
            thread.start()
            queued(number)
    for thread in threads:
        thread.join(WAIT)
