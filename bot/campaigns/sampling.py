"""Sample sizes (the TSM rule) and repeatable random or stratified samples.

The Regulator of Social Housing asks for a margin of error at 95% confidence that depends on
the number of relevant homes N: n0 = z² · 0.25 / e², corrected for a finite population as
n = n0 / (1 + (n0 − 1) / N), rounded up (4,323 homes at ±4% need 528 responses).
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Hashable, Mapping, Sequence
from statistics import NormalDist
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)
# The rounded z values the sector uses; other confidence levels are computed.
Z_VALUES = {0.90: 1.645, 0.95: 1.96, 0.99: 2.576}


class BadSample(ValueError):
    """A sample specification that cannot be met."""


def z_value(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise BadSample(f"The confidence level must be between 0 and 1, not {confidence}.")
    for level, z in Z_VALUES.items():
        if math.isclose(confidence, level):
            return z
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def sample_size(population: int, margin: float, confidence: float = 0.95) -> int:
    """Responses needed for ±`margin` at `confidence`, with the finite-population correction."""
    if population <= 0:
        return 0
    if not 0 < margin < 1:
        raise BadSample(f"The margin of error must be a fraction like 0.04, not {margin}.")
    n0 = z_value(confidence) ** 2 * 0.25 / margin**2
    n = n0 / (1 + (n0 - 1) / population)
    # A hair below an integer is float noise, not a reason to ask one more tenant.
    return min(population, math.ceil(n - 1e-9))


def tsm_margin(population: int) -> float:
    """The margin the regulator requires for this many relevant homes."""
    if population < 2500:
        return 0.05
    if population < 10000:
        return 0.04
    return 0.03


def invitations_for(responses: int, response_rate: float, population: int) -> int:
    """How many tenants to invite to expect `responses` answers at `response_rate`."""
    if not 0 < response_rate <= 1:
        raise BadSample(
            f"The expected response rate must be above 0 and at most 1, not {response_rate}."
        )
    return min(population, math.ceil(responses / response_rate - 1e-9))


def random_sample(items: Sequence[Item], size: int, seed: int) -> list[Item]:
    """`size` items chosen at random; the same seed and items give the same sample."""
    if size >= len(items):
        return list(items)
    return random.Random(seed).sample(list(items), size)  # noqa: S311 - sampling, not security


def allocate(strata: Mapping[str, int], size: int) -> dict[str, int]:
    """Proportional allocation with the largest remainders, so the parts add up to `size`."""
    total = sum(strata.values())
    if size >= total:
        return dict(strata)
    exact = {name: count * size / total for name, count in strata.items()}
    shares = {name: math.floor(value) for name, value in exact.items()}
    left = size - sum(shares.values())
    by_remainder = sorted(exact, key=lambda name: (-(exact[name] - shares[name]), name))
    for name in by_remainder[:left]:
        shares[name] += 1
    return shares


def stratified_sample(groups: Mapping[str, Sequence[Item]], size: int, seed: int) -> list[Item]:
    """A proportional sample from each group (e.g. by area or tenure), each group seeded."""
    shares = allocate({name: len(members) for name, members in groups.items()}, size)
    chosen: list[Item] = []
    for name in sorted(groups):
        # A per-group seed: adding a group elsewhere does not reshuffle this one.
        group_seed = seed * 1_000_003 + zlib.crc32(name.encode("utf-8"))
        chosen += random_sample(groups[name], shares[name], group_seed)
    return chosen
