"""The demo's shortcuts give the same population: weighted draws, tenant refs, no cyclic GC."""

from __future__ import annotations

import gc
import random

import pytest

from analysis.demo import data
from analysis.demo.population import PLANTED, SHARES, draw_one, make_block, summed


def test_a_weighted_draw_is_the_draw_random_choices_makes() -> None:
    """Every table the demo draws from, zero weights included, for many seeds."""
    tables = [
        getattr(planted, name)
        for planted in PLANTED
        for name in ("window", "stated_channel", "stated_times", "languages", "ages")
    ]
    assert any(0.0 in table.values() for table in tables)  # the zero-weight case is covered
    for seed in range(40):
        ours, plain = random.Random(seed), random.Random(seed)
        for table in tables:
            names, cumulative = summed(table)
            for _ in range(25):
                expected = plain.choices(list(table), list(table.values()))[0]
                assert draw_one(ours, names, cumulative) == expected
        assert (
            draw_one(ours, PLANTED, SHARES)
            is plain.choices(PLANTED, [planted.share for planted in PLANTED])[0]
        )


def test_summed_weights_are_kept_for_the_table_they_were_summed_from() -> None:
    first, second = {"a": 1.0, "b": 0.0, "c": 2.0}, {"a": 1.0, "c": 5.0}
    assert summed(first) == (("a", "c"), (1.0, 3.0))
    assert summed(second) == (("a", "c"), (1.0, 6.0))
    assert summed(first) == (("a", "c"), (1.0, 3.0))


@pytest.mark.parametrize("tenants", [1, 499, 500, 501, 1_234])
def test_a_blocks_refs_are_those_of_its_drawn_tenants(tenants: int) -> None:
    plan = data._Plan({}, {}, 1, 7, tenants, "sqlite", "Bench Homes")
    for block in range((tenants + 499) // 500):
        drawn = [t.ref for t in make_block(7, block) if t.index <= tenants]
        assert plan.refs_of(block) == drawn


def test_cyclic_gc_is_off_during_a_load_and_as_it_was_after() -> None:
    assert gc.isenabled()
    with data._without_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with data._without_cyclic_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), data._without_cyclic_gc():
        raise RuntimeError("a failed load")
    assert gc.isenabled()
