"""`doorstep demo-data`: a synthetic tenant population with planted communication segments.

Written by the engine's bulk writer (`bot.engine.bulk`), whole blocks of tenants per
transaction; blocks are played in worker processes meanwhile (`bot.engine.bulk_blocks`), and
in this one while it would otherwise wait for them.
Deterministic for a seed; idempotent: tenants (DEMO-000001 ...) and rounds that already
exist are left alone, so asking again for more tenants or rounds adds only what is new.
"""

from __future__ import annotations

import datetime
import functools
import gc
import multiprocessing
import os
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, select

from analysis.demo.population import BLOCK, CHANNELS, DemoTenant, make_block, tenant_ref
from analysis.demo.records import ZONE, TenantState, address
from analysis.demo.sessions import Conversation, run_session
from analysis.frames.sql import epoch
from bot.engine.bulk import BulkWriter, Written, bulk_loading
from bot.engine.bulk_blocks import Played, adopt, detach
from bot.i18n.languages import is_supported
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.db import Database
from bot.storage.tables import RESPONDENTS, SESSIONS

# First round: a Monday, local midnight; one campaign round every four weeks.
FIRST_ROUND = datetime.datetime(2026, 1, 5, tzinfo=ZONE)
ROUND_GAP = datetime.timedelta(days=28)
# After the communication-preferences survey a tenant joins with, the rounds cycle through:
CYCLE = (
    "post_repair", "post_repair", "tsm_perception", "post_repair", "tenant_profile",
    "post_repair", "post_repair", "post_repair", "post_repair", "post_repair", "tsm_perception",
)  # fmt: skip
QUESTIONNAIRES = ("communication_preferences", "post_repair", "tsm_perception", "tenant_profile")
REPAIR_CHANCE = 0.6  # not every tenant had a repair in a round


def first_round(name: str) -> int:
    """The round (counting from 1) in which the first tenants can be sent this survey: those
    who joined in the first round get the communication-preferences survey, then the cycle."""
    return 1 if name == "communication_preferences" else 2 + CYCLE.index(name)


def surveys_not_sent(rounds: int) -> list[str]:
    """The demo's surveys that no tenant is sent in this many rounds, earliest first."""
    return sorted((n for n in QUESTIONNAIRES if first_round(n) > rounds), key=first_round)


STATED_FIRST = 0.8  # how often the landlord uses the channel a tenant said they prefer
MAX_TENANTS = 1_000_000
MAX_ROUNDS = 24
AHEAD = 3  # blocks not yet played queued per worker, so a worker never waits for the writer
# Played blocks waiting to be written, at most: what bounds memory while the writer is busy.
MAX_WAITING = 8
# Every block adds outbox rows whose due times spread over all its rounds, so it dirties pages
# all over that index, and each commit writes every dirtied page to the WAL again: on SQLite,
# one transaction per 500-tenant block wrote the index many times over at 100,000 tenants.
# A transaction takes whole blocks until it holds this many rows (about 5,000 tenants, 5 rounds).
ROWS_PER_COMMIT = 250_000

Progress = Callable[[int], None]


class DemoDataError(Exception):
    """A request for demo data that cannot be met, said in a sentence."""


@dataclass(frozen=True)
class DemoSummary:
    tenants: int
    created_tenants: int
    sessions: int
    answers: int
    inbound: int
    outbound: int
    seconds: float


@functools.cache
def round_start(round_no: int) -> datetime.datetime:
    return (FIRST_ROUND + ROUND_GAP * round_no).astimezone(datetime.UTC)


def create_demo_data(
    database: Database,
    registry: QuestionnaireRegistry,
    *,
    tenants: int,
    rounds: int = 10,
    seed: int = 7,
    progress: Progress | None = None,
    workers: int | None = None,
) -> DemoSummary:
    """Make sure tenants DEMO-000001..N exist with `rounds` rounds of contact history.

    Blocks are played (drawn, conversations built into rows) in `workers` other processes
    (default: one per core but one; none for a single block) while this one writes the
    blocks already played, in order, and plays blocks itself whenever the next one to write
    is not ready yet. A transaction takes blocks until it holds `ROWS_PER_COMMIT` rows.
    """
    if not 1 <= tenants <= MAX_TENANTS:
        raise DemoDataError(f"Ask for between 1 and {MAX_TENANTS:,} tenants (got {tenants}).")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise DemoDataError(f"Ask for between 1 and {MAX_ROUNDS} rounds (got {rounds}).")
    questionnaires = _questionnaires(registry)
    started = time.perf_counter()
    totals = dict.fromkeys(("created", "sessions", "answers", "inbound", "outbound"), 0)
    with database.engine.begin() as connection:
        version_ids = {
            name: registry.version_id(connection, q) for name, q in questionnaires.items()
        }
    plan = _Plan(
        questionnaires, version_ids, rounds, seed, tenants, database.engine.dialect.name,
        registry.landlord_name,
    )  # fmt: skip
    blocks = (tenants + BLOCK - 1) // BLOCK
    if workers is None:
        workers = 0 if blocks == 1 else max(1, (os.cpu_count() or 1) - 1)
    with (
        _without_cyclic_gc(),
        database.engine.connect() as connection,
        bulk_loading(connection),
    ):
        pending = 0  # rows written in the open transaction
        for size, played in _played_in_order(connection, plan, workers):
            pending += sum(len(rows) for rows in played.rows.values())
            written = _write(connection, played)
            if pending >= ROWS_PER_COMMIT:
                connection.commit()
                pending = 0
            for key, value in zip(totals, written_counts(written), strict=True):
                totals[key] += value
            if progress is not None:
                progress(size)
        connection.commit()
    return DemoSummary(
        tenants, totals["created"], totals["sessions"], totals["answers"], totals["inbound"],
        totals["outbound"], time.perf_counter() - started,
    )  # fmt: skip


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """No cyclic garbage collection while blocks are played and written.

    A load makes millions of short-lived lists and records, none of them in a cycle (they
    are freed by their counts), and each of Python's collections walks every row still
    waiting to be written: 7-9 % of the CPU of playing a block, and more in this process,
    which holds the played blocks. Collection is back as it was afterwards. The switch is
    process-wide: demo data is made by commands, never inside the running service."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _questionnaires(registry: QuestionnaireRegistry) -> dict[str, Questionnaire]:
    found: dict[str, Questionnaire] = {}
    for name in QUESTIONNAIRES:
        try:
            found[name] = registry.latest(name)
        except KeyError:
            raise DemoDataError(
                f"Demo data needs the shipped questionnaire '{name}', which is not loaded; "
                "point DOORSTEP_QUESTIONNAIRES_DIR at the shipped questionnaires/ folder."
            ) from None
    return found


@dataclass(frozen=True)
class _Plan:
    """What playing any block needs, the same in every process."""

    questionnaires: dict[str, Questionnaire]
    version_ids: dict[str, int]
    rounds: int
    seed: int
    tenants: int
    dialect: str
    landlord: str  # named in the messages, as the engine names the landlord it runs for

    def tenants_of(self, block: int) -> list[DemoTenant]:
        return [t for t in make_block(self.seed, block) if t.index <= self.tenants]

    def refs_of(self, block: int) -> list[str]:
        """The refs of `tenants_of(block)`, without drawing the tenants."""
        first = block * BLOCK + 1
        return [tenant_ref(index) for index in range(first, min(first + BLOCK, self.tenants + 1))]


Play = Callable[[int, dict[str, int], set[tuple[int, int]]], "Future[Played] | Played"]
_plan_here: list[_Plan] = []  # a worker process's plan, set as it starts


def _remember(plan: _Plan) -> None:
    _plan_here.append(plan)
    gc.disable()  # a worker process only plays blocks: see `_without_cyclic_gc`


def _play_here(block: int, existing: dict[str, int], done: set[tuple[int, int]]) -> Played:
    return _play(_plan_here[0], block, existing, done)


@contextmanager
def _players(plan: _Plan, workers: int) -> Iterator[Play]:
    """Plays blocks in this process (no workers) or in worker processes (futures)."""
    if workers == 0:
        yield lambda block, existing, done: _play(plan, block, existing, done)
        return
    context = multiprocessing.get_context("spawn")  # nothing of this process's connections
    with ProcessPoolExecutor(workers, context, initializer=_remember, initargs=(plan,)) as pool:
        yield lambda block, existing, done: pool.submit(_play_here, block, existing, done)


def _played_in_order(
    connection: Connection, plan: _Plan, workers: int
) -> Iterator[tuple[int, Played]]:
    """Every block played, in block order, with its number of tenants.

    Each worker always has `AHEAD` blocks it has not played yet, however many played ones
    wait for the writer (up to `MAX_WAITING`). Before, blocks counted until they were written,
    so a worker sat idle whenever the writer fell behind: a third of its time at 100,000
    tenants. Whenever the next block is still in a worker, this process plays a later block
    itself instead of waiting."""
    blocks = (plan.tenants + BLOCK - 1) // BLOCK
    waiting: deque[tuple[int, Future[Played] | Played]] = deque()  # size, block
    following = 0  # blocks taken
    ahead = AHEAD * workers

    def unplayed() -> int:
        return sum(isinstance(item, Future) and not item.done() for _, item in waiting)

    def take() -> tuple[int, int, dict[str, int], set[tuple[int, int]]]:
        nonlocal following
        block, following = following, following + 1
        refs = plan.refs_of(block)
        return (len(refs), block, *_existing(connection, refs))

    with _players(plan, workers) as play:
        while following < blocks or waiting:
            while (following < blocks and len(waiting) < MAX_WAITING
                   and (not waiting or unplayed() < ahead)):  # fmt: skip
                size, block, existing, done = take()
                waiting.append((size, play(block, existing, done)))
            item = waiting[0][1]
            if (isinstance(item, Future) and not item.done() and following < blocks
                    and len(waiting) < MAX_WAITING):  # fmt: skip
                size, block, existing, done = take()
                waiting.append((size, _play(plan, block, existing, done)))
                continue
            size, item = waiting.popleft()
            yield size, item.result() if isinstance(item, Future) else item


def _play(plan: _Plan, block: int, existing: dict[str, int], done: set[tuple[int, int]]) -> Played:
    """Every round of one block, into a detached writer's rows (block-local ids)."""
    tenants = plan.tenants_of(block)
    writer = BulkWriter(None, provider_prefix="demo", dialect=plan.dialect)
    states = {t.index: _state(t, existing, writer) for t in tenants}
    for round_no in range(plan.rounds):
        rng = random.Random(f"doorstep-demo:{plan.seed}:{block}:round:{round_no}")  # noqa: S311
        for tenant in tenants:
            chosen = _plan(tenant, states[tenant.index], round_no, plan.questionnaires, rng)
            if chosen is None:
                continue
            q, channel, invite_at = chosen
            replay = (tenant.index, round_no) in done
            conversation = Conversation(
                None if replay else writer, tenant, states[tenant.index], q,
                plan.version_ids[q.id], channel, plan.landlord,
            )  # fmt: skip
            run_session(conversation, invite_at, rng)
    return detach(writer)


def _write(connection: Connection, played: Played) -> Written:
    """One played block, its ids made final, in the connection's open transaction."""
    writer = BulkWriter(connection, provider_prefix="demo")
    adopt(writer, played)
    return writer.write()


def written_counts(written: Written) -> tuple[int, ...]:
    return (written.respondents, written.sessions, written.answers, written.inbound,
            written.outbound)  # fmt: skip


def _existing(
    connection: Connection, refs: list[str]
) -> tuple[dict[str, int], set[tuple[int, int]]]:
    """Demo tenants already stored (ref -> id) and the rounds they already have."""
    found = {
        row.tenant_ref: int(row.id)
        for row in connection.execute(
            select(RESPONDENTS.c.id, RESPONDENTS.c.tenant_ref).where(
                RESPONDENTS.c.tenant_ref.in_(refs)
            )
        )
    }
    if not found:
        return found, set()
    index_of = {
        respondent_id: int(ref.removeprefix("DEMO-")) for ref, respondent_id in found.items()
    }
    first = FIRST_ROUND.timestamp()
    done = set()
    query = select(SESSIONS.c.respondent_id, epoch(SESSIONS.c.created_at, connection.dialect.name))
    for respondent_id, created in connection.execute(
        query.where(SESSIONS.c.respondent_id.in_(list(found.values())))
    ):
        done.add((index_of[respondent_id], int((created - first) // ROUND_GAP.total_seconds())))
    return found, done


def _state(tenant: DemoTenant, existing: dict[str, int], writer: BulkWriter) -> TenantState:
    respondent_id = existing.get(tenant.ref)
    if respondent_id is not None:
        return TenantState(respondent_id)
    joined = round_start(tenant.join_round) - datetime.timedelta(
        days=tenant.created_days_before
        if tenant.join_round == 0
        else tenant.created_days_before % 20
    )
    language = tenant.language if is_supported(tenant.language) else None
    respondent_id = writer.add_respondent(
        tenant_ref=tenant.ref, language=language, created_at=joined
    )
    for channel in tenant.holds:
        writer.add_identity(
            respondent_id=respondent_id,
            channel=channel,
            address=address(tenant, channel),
            created_at=joined,
        )
    return TenantState(respondent_id)


def _plan(
    tenant: DemoTenant,
    state: TenantState,
    round_no: int,
    questionnaires: dict[str, Questionnaire],
    rng: random.Random,
) -> tuple[Questionnaire, str, datetime.datetime] | None:
    """Which survey the landlord sends this tenant this round, on which channel, when."""
    # Draw everything first: the same draws whatever happens, so rounds stay reproducible.
    repair, stated_first, day, hour = rng.random(), rng.random(), rng.randrange(5), rng.random()
    step = round_no - tenant.join_round
    if step < 0:
        return None
    name = "communication_preferences" if step == 0 else CYCLE[(step - 1) % len(CYCLE)]
    if name == "post_repair" and repair >= REPAIR_CHANCE:
        return None
    q = questionnaires[name]
    usable = [c for c in CHANNELS if c in tenant.holds and c not in state.opted_out]
    usable = [c for c in usable if c in q.channels]
    if not usable:
        return None
    stated = {"web_chat": "webchat"}.get(state.stated_channel or "", state.stated_channel)
    if stated in usable and stated_first < STATED_FIRST:
        channel = stated
    else:
        channel = usable[(round_no + tenant.offset) % len(usable)]
    invite_at = round_start(round_no) + datetime.timedelta(days=day, hours=9 + 8 * hour)
    return q, channel, invite_at


__all__ = [
    "DemoDataError", "DemoSummary", "create_demo_data", "first_round", "surveys_not_sent",
    "tenant_ref",
]  # fmt: skip
