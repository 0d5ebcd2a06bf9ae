"""How `doorstep demo-data` shares the playing of blocks between a worker and the writer.

The worker is a stand-in here: each block it is given is played at once, or only when the
test says. No database and no processes, so the order of events is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from analysis.demo import data
from analysis.demo.data import AHEAD, MAX_WAITING, _played_in_order


@dataclass(frozen=True)
class _Blocks:
    """A plan of `count` blocks of one tenant each (all the scheduler looks at)."""

    count: int

    @property
    def tenants(self) -> int:
        return self.count * data.BLOCK

    def refs_of(self, block: int) -> list[str]:
        return [f"block {block}"]


class _Worker:
    def __init__(self, *, plays_at_once: bool) -> None:
        self.plays_at_once = plays_at_once
        self.given: list[int] = []
        self.futures: dict[int, Future[Any]] = {}

    def play(self, block: int, _existing: object, _done: object) -> Future[Any]:
        self.given.append(block)
        future: Future[Any] = Future()
        self.futures[block] = future
        if self.plays_at_once:
            future.set_result(f"worker played {block}")
        return future

    def finish(self, block: int) -> None:
        self.futures[block].set_result(f"worker played {block}")


def _schedule(
    monkeypatch: pytest.MonkeyPatch,
    worker: _Worker,
    played_here: list[int],
    after_playing_here: Callable[[], None] = lambda: None,
) -> Callable[[int], Iterator[tuple[int, Any]]]:
    @contextmanager
    def players(_plan: object, _workers: int) -> Iterator[Any]:
        yield worker.play

    def play_here(_plan: object, block: int, _existing: object, _done: object) -> str:
        played_here.append(block)
        after_playing_here()
        return f"writer played {block}"

    monkeypatch.setattr(data, "_players", players)
    monkeypatch.setattr(data, "_play", play_here)
    monkeypatch.setattr(data, "_existing", lambda _connection, _refs: ({}, set()))
    return lambda count: _played_in_order(None, _Blocks(count), 1)  # type: ignore[arg-type]


def test_a_worker_that_keeps_up_is_given_more_before_the_writer_catches_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Played blocks waiting for the writer do not hold the worker back (up to the memory
    bound); before, the worker sat idle until the writer wrote them."""
    worker, played_here = _Worker(plays_at_once=True), []
    blocks = _schedule(monkeypatch, worker, played_here)(20)
    first = next(blocks)
    assert first == (1, "worker played 0")
    assert worker.given == list(range(MAX_WAITING))
    rest = list(blocks)
    assert [played for _, played in rest] == [f"worker played {n}" for n in range(1, 20)]
    assert played_here == []  # the writer never waited, so it never played


def test_the_writer_plays_later_blocks_while_the_next_one_is_still_in_the_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker holds its first blocks until the writer has played two itself; then it
    plays every block at once. Every block is written once, in block order."""
    worker, played_here = _Worker(plays_at_once=False), []

    def worker_catches_up() -> None:
        if len(played_here) == 2:
            for block in worker.given:
                worker.finish(block)
            worker.plays_at_once = True

    blocks = _schedule(monkeypatch, worker, played_here, worker_catches_up)(20)
    order = [played for _, played in blocks]
    assert played_here == [AHEAD, AHEAD + 1]  # the blocks after the worker's queue
    assert order == [f"{'writer' if n in played_here else 'worker'} played {n}" for n in range(20)]
