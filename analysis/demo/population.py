"""The synthetic population: planted communication-preference segments and their tenants.

Each planted segment differs in channels held and answered on, reply speed, time of day,
response and completion rates, language, digital access, age and communication needs.
Everything is drawn from a seeded generator per block of tenants, so tenant N is the same
whatever the number of tenants asked for.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

CHANNELS = ("sms", "telegram", "webchat")
BLOCK = 500  # tenants drawn together from one seeded generator
REF_PREFIX = "DEMO-"


@dataclass(frozen=True)
class Planted:
    key: str
    share: float
    holds: tuple[float, float, float]  # chance of an identity on sms, telegram, webchat
    replies: tuple[float, float, float]  # chance of answering an invitation per channel
    completes: float  # chance of finishing once started
    latency_hours: float  # median time to the first reply
    latency_spread: float  # lognormal sigma of that time
    pace_seconds: float  # median time between answers within a conversation
    window: Mapping[str, float]  # when first replies land: morning/afternoon/evening/weekend
    stated_channel: Mapping[str, float]
    stated_times: Mapping[str, float]  # chance of choosing each time
    languages: Mapping[str, float]
    digital: Mapping[str, float]  # chance of having each (none if nothing)
    ages: Mapping[str, float]
    needs: float  # chance of a communication need
    need_kinds: tuple[str, ...]


PLANTED: tuple[Planted, ...] = (
    Planted(
        "text_daytime", 0.28, (0.98, 0.12, 0.25), (0.80, 0.35, 0.25), 0.85, 0.4, 1.0, 45,
        {"morning": 0.5, "afternoon": 0.5, "evening": 0.0, "weekend": 0.0},
        {"sms": 0.8, "phone": 0.1, "email": 0.05, "web_chat": 0.05},
        {"morning": 0.6, "afternoon": 0.6, "evening": 0.1, "weekend": 0.1},
        {"en": 0.8, "cy": 0.1, "pl": 0.05, "ur": 0.05},
        {"smartphone": 0.95, "home_internet": 0.5, "computer_or_tablet": 0.3},
        {"age_35_44": 0.3, "age_45_54": 0.35, "age_55_64": 0.3, "prefer_not_to_say": 0.05},
        0.08, ("large_print", "easy_read"),
    ),
    Planted(
        "telegram_evening", 0.18, (0.9, 0.97, 0.4), (0.35, 0.88, 0.35), 0.9, 0.1, 0.9, 15,
        {"morning": 0.0, "afternoon": 0.1, "evening": 0.7, "weekend": 0.2},
        {"telegram": 0.8, "web_chat": 0.1, "sms": 0.1},
        {"morning": 0.05, "afternoon": 0.1, "evening": 0.8, "weekend": 0.5},
        {"en": 0.7, "pl": 0.1, "ro": 0.1, "pt": 0.1},
        {"smartphone": 1.0, "home_internet": 0.85, "computer_or_tablet": 0.6},
        {"age_16_24": 0.4, "age_25_34": 0.5, "age_35_44": 0.1},
        0.03, ("interpreter",),
    ),
    Planted(
        "webchat_weekend", 0.17, (0.95, 0.1, 0.95), (0.3, 0.3, 0.75), 0.92, 20.0, 0.8, 25,
        {"morning": 0.0, "afternoon": 0.15, "evening": 0.25, "weekend": 0.6},
        {"web_chat": 0.6, "email": 0.3, "sms": 0.1},
        {"morning": 0.1, "afternoon": 0.2, "evening": 0.4, "weekend": 0.8},
        {"en": 0.85, "cy": 0.1, "ar": 0.05},
        {"smartphone": 0.8, "home_internet": 0.95, "computer_or_tablet": 0.9},
        {"age_35_44": 0.5, "age_45_54": 0.4, "age_25_34": 0.1},
        0.05, ("email", "speech_to_text"),
    ),
    Planted(
        "text_evening", 0.22, (0.99, 0.2, 0.2), (0.6, 0.3, 0.2), 0.6, 1.5, 0.9, 90,
        {"morning": 0.0, "afternoon": 0.0, "evening": 0.75, "weekend": 0.25},
        {"sms": 0.7, "telegram": 0.1, "phone": 0.2},
        {"morning": 0.1, "afternoon": 0.1, "evening": 0.8, "weekend": 0.6},
        {"en": 0.55, "pl": 0.15, "ro": 0.15, "pt": 0.1, "bn": 0.05},
        {"smartphone": 0.9, "home_internet": 0.4, "computer_or_tablet": 0.2},
        {"age_25_34": 0.4, "age_35_44": 0.35, "age_45_54": 0.25},
        0.1, ("interpreter", "easy_read"),
    ),
    Planted(
        "call_or_letter", 0.15, (0.85, 0.02, 0.05), (0.35, 0.1, 0.1), 0.4, 48.0, 0.6, 150,
        {"morning": 0.7, "afternoon": 0.3, "evening": 0.0, "weekend": 0.0},
        {"phone": 0.5, "letter": 0.35, "sms": 0.15},
        {"morning": 0.8, "afternoon": 0.5, "evening": 0.05, "weekend": 0.05},
        {"en": 0.8, "cy": 0.15, "pa": 0.05},
        {"smartphone": 0.45, "home_internet": 0.1, "computer_or_tablet": 0.05},
        {"age_65_74": 0.45, "age_75_84": 0.4, "age_85_plus": 0.15},
        0.45, ("large_print", "someone_to_help", "audio"),
    ),
)  # fmt: skip

# Most tenants were on the books before the first round; the rest join later, so some have
# been contacted only once or not yet: the "not enough data yet" group.
LATE_JOINERS = 0.15
MAX_JOIN_ROUND = 8


@dataclass
class DemoTenant:
    index: int  # 1-based, stable: DEMO-000001 is always the same tenant for a seed
    planted: Planted
    join_round: int
    holds: tuple[str, ...]  # channels with an identity
    language: str
    age_band: str
    digital: tuple[str, ...]
    needs: tuple[str, ...]
    stated_channel: str
    stated_times: tuple[str, ...]
    household: int
    offset: int  # where this tenant starts in the landlord's channel rotation
    created_days_before: float

    @property
    def ref(self) -> str:
        return tenant_ref(self.index)


SHARES = tuple(itertools.accumulate(planted.share for planted in PLANTED))


def tenant_ref(index: int) -> str:
    return f"{REF_PREFIX}{index:06d}"


def draw_one(rng: random.Random, population: Sequence[T], cum_weights: Sequence[float]) -> T:
    """`rng.choices(population, cum_weights=cum_weights)[0]`, the same draw, without the
    call's checks and list: the demo makes millions of these."""
    return population[bisect.bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0,
                                     len(population) - 1)]  # fmt: skip


# Weighted draws from the planted segments' fixed tables, summed once (keyed by the table,
# which lives as long as the module; the table is kept in the entry so its id stays its own).
_SUMMED: dict[int, tuple[Mapping[str, float], tuple[str, ...], tuple[float, ...]]] = {}


def summed(weights: Mapping[str, float]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The names with a weight above nothing, and their weights summed as `random.choices`
    sums them."""
    entry = _SUMMED.get(id(weights))
    if entry is None or entry[0] is not weights:
        names = tuple(name for name, weight in weights.items() if weight > 0)
        cumulative = tuple(itertools.accumulate(weights[name] for name in names))
        entry = _SUMMED[id(weights)] = (weights, names, cumulative)
    return entry[1], entry[2]


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return draw_one(rng, *summed(weights))


def _some(rng: random.Random, chances: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(name for name, chance in chances.items() if rng.random() < chance)


def make_block(seed: int, block: int) -> list[DemoTenant]:
    """The BLOCK tenants of one block (1-based indexes block*BLOCK+1 ...)."""
    rng = random.Random(f"doorstep-demo:{seed}:{block}:tenants")  # noqa: S311 - not secret
    tenants = []
    for position in range(BLOCK):
        planted = draw_one(rng, PLANTED, SHARES)
        holds = tuple(c for c, p in zip(CHANNELS, planted.holds, strict=True) if rng.random() < p)
        joins = rng.randint(1, MAX_JOIN_ROUND) if rng.random() < LATE_JOINERS else 0
        needs = _some(rng, dict.fromkeys(planted.need_kinds, 0.6))
        if rng.random() >= planted.needs:
            needs = ()
        elif not needs:
            needs = planted.need_kinds[:1]
        times = _some(rng, planted.stated_times) or (_pick(rng, planted.window),)
        tenants.append(
            DemoTenant(
                index=block * BLOCK + position + 1,
                planted=planted,
                join_round=joins,
                holds=holds or ("sms",),
                language=_pick(rng, planted.languages),
                age_band=_pick(rng, planted.ages),
                digital=_some(rng, planted.digital),
                needs=needs,
                stated_channel=_pick(rng, planted.stated_channel),
                stated_times=times,
                household=rng.choice((1, 1, 2, 2, 3, 4, 5)),
                offset=rng.randrange(3),
                created_days_before=rng.uniform(30, 3000),
            )
        )
    return tenants


def planted_segments(seed: int, tenants: int) -> dict[str, str]:
    """tenant_ref -> planted segment key, for measuring how well segmentation finds them."""
    truth: dict[str, str] = {}
    for block in range((tenants + BLOCK - 1) // BLOCK):
        for tenant in make_block(seed, block):
            if tenant.index <= tenants:
                truth[tenant.ref] = tenant.planted.key
    return truth
