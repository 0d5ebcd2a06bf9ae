"""Sample sizes (the TSM rule) and repeatable random and stratified samples."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.campaigns.sampling import (
    BadSample,
    allocate,
    invitations_for,
    random_sample,
    sample_size,
    stratified_sample,
    tsm_margin,
)


def test_the_sample_size_for_4323_homes_at_4_percent_is_528() -> None:
    assert sample_size(4323, 0.04) == 528
    assert sample_size(4323, 0.04, confidence=0.95) == 528


@pytest.mark.parametrize(
    ("population", "margin", "expected"),
    [(100, 0.05, 80), (2499, 0.05, 334), (10_000, 0.03, 965), (1, 0.05, 1), (0, 0.05, 0)],
)
def test_the_finite_population_correction(population: int, margin: float, expected: int) -> None:
    # Worked by hand: 100 at ±5%: n0 = 384.16, 384.16 / (1 + 383.16 / 100) = 79.5 -> 80.
    assert sample_size(population, margin) == expected


def test_the_regulators_margin_depends_on_the_number_of_homes() -> None:
    assert [tsm_margin(n) for n in (2499, 2500, 9999, 10_000)] == [0.05, 0.04, 0.04, 0.03]


def test_bad_margins_and_rates_are_refused_with_a_sentence() -> None:
    with pytest.raises(BadSample, match=r"fraction like 0\.04"):
        sample_size(100, 4)
    with pytest.raises(BadSample, match="response rate"):
        invitations_for(100, 0, 1000)


def test_an_expected_response_rate_raises_the_number_invited() -> None:
    assert invitations_for(528, 0.25, 4323) == 2112
    assert invitations_for(528, 0.1, 4323) == 4323  # never more than there are tenants


def test_random_samples_repeat_with_the_same_seed() -> None:
    people = list(range(1000))
    first = random_sample(people, 50, seed=7)
    assert first == random_sample(people, 50, seed=7)
    assert first != random_sample(people, 50, seed=8)
    assert len(set(first)) == 50


def test_stratified_samples_are_proportional_and_add_up() -> None:
    assert allocate({"north": 600, "south": 300, "east": 100}, 100) == {
        "north": 60,
        "south": 30,
        "east": 10,
    }
    shares = allocate({"a": 1, "b": 1, "c": 1}, 2)
    assert sum(shares.values()) == 2
    groups = {"north": [f"n{i}" for i in range(600)], "south": [f"s{i}" for i in range(333)]}
    chosen = stratified_sample(groups, 100, seed=1)
    assert len(chosen) == 100
    assert Counter(item[0] for item in chosen) == {"n": 64, "s": 36}
