"""Analysis benchmark: frames, segmentation, the TSM table, the report's steps, exports.

    python bench/analysis.py [--tenants 100000] [--rounds 5] [--database PATH]

Generates the demo population with the real demo generator into a temporary SQLite file and
adds tenure, area and repair jobs (`analysis.demo.landlord_records`). `--database` keeps the
file, and a later run with the same path reuses it (the generator only adds what is
missing), so only the first run pays for generating.

Each step prints its time, its peak memory and its ratio to the raw floor measured in the
same run: reading the answer rows from SQLite into pandas with the plain driver (`sqlite3`
tuples into a DataFrame, nothing converted). The report's newer steps (weighting, key
drivers, comment themes, summary of approach) are timed and count towards the budget.
CPU is user + system time of the process and of the SQLite reader process it
starts (counted while it lives), for comparing runs on a busy machine. Peak memory is the
process's resident high-water mark (VmHWM), reset before each step through
/proc/self/clear_refs, so each figure is that step's own peak including what was already
in memory (the frames stay loaded). Where the reset is not available it falls back
to ru_maxrss, the peak of the whole run so far.

The verdict is printed twice: in seconds against the 10 s budget, and at this machine's
pace, as a multiple of the raw floor measured in the same run (the budget was set where the
floor took 3.5 s, so it allows 2.86 times the floor).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.demo.data import create_demo_data
from analysis.demo.landlord_records import add_landlord_records
from analysis.frames.catalog import load_catalog
from analysis.frames.sql import reading
from analysis.frames.tidy import answers_frame, sessions_frame
from analysis.segments.run import SegmentOptions, run_segmentation
from analysis.themes.comments import read_comments
from analysis.themes.themes import find_themes
from analysis.tsm.approach import ApproachInputs, summary_of_approach
from analysis.tsm.drivers import key_drivers
from analysis.tsm.run import tsm_results
from analysis.tsm.sample import tenant_attributes
from analysis.tsm.weighting import respondent_weights, weighted_measures
from bench.pace import ISSUE_READ_SECONDS, read_answer_rows
from bot.service import build_service
from bot.settings import Settings

GIB = 1024**3
RESULTS: list[tuple[str, float, float]] = []
FLOOR: list[float] = []  # seconds of the raw floor, once measured
CPU: dict[str, float] = {}  # CPU seconds per step
BUDGET_SECONDS, BUDGET_BYTES = 10.0, 1.5 * GIB
# Issue 17 set the 10 s on a machine where this bench's raw floor took 3.5 s: the budget
# is 10 / 3.5 = 2.86 times the floor, which is how a run on a slower or busier machine
# is judged (the floor is measured in the same run; bench/pace.py).
BUDGET_FLOOR_SECONDS = ISSUE_READ_SECONDS
XLSX_BUDGET_SECONDS = 6.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_bytes() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _cpu_seconds() -> float:
    """CPU time of this process and its live children (the SQLite reader process of
    analysis.frames.columnar), user + system: on a shared machine wall time says more
    about the neighbours than about the code."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def measure(name: str, work: Callable[[], Any]) -> Any:
    gc.collect()
    _reset_peak()
    cpu = _cpu_seconds()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    peak = _peak_bytes()
    RESULTS.append((name, seconds, peak))
    CPU[name] = cpu
    ratio = f"{seconds / FLOOR[0]:6.2f} x floor" if FLOOR else " " * 14
    print(f"  {name:<50} {seconds:6.2f} s  peak {peak / GIB:5.2f} GiB {ratio}  cpu {cpu:6.2f} s",
          flush=True)  # fmt: skip
    return result


def raw_floor(path: Path) -> None:
    """The answer rows (the frames' own query) read with the plain driver into pandas."""
    measure("raw floor: answer rows into pandas (sqlite3)", lambda: read_answer_rows(path))
    FLOOR.append(RESULTS[-1][1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", type=Path, help="reuse (or keep) this SQLite file")
    parser.add_argument(
        "--as-is", action="store_true",
        help="use --database as an earlier run left it: do not check or add demo data",
    )  # fmt: skip
    parser.add_argument(
        "--budget-only", action="store_true",
        help="time only the budget's steps (no CSV, no per-questionnaire exports)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.database or Path(scratch) / "bench.db"
        run(path, Path(scratch), args.tenants, args.rounds, generate=not args.as_is,
            exports_too=not args.budget_only)  # fmt: skip


def run(
    path: Path, scratch: Path, tenants: int, rounds: int, *, generate: bool = True,
    exports_too: bool = True,
) -> None:  # fmt: skip
    settings = Settings(environment="test", database_url=f"sqlite:///{path}")
    service = build_service(settings)
    database, registry = service.database, service.registry
    if generate:
        print(f"Demo data: {tenants:,} tenants, {rounds} rounds, SQLite at {path}", flush=True)
        started = time.perf_counter()
        summary = create_demo_data(database, registry, tenants=tenants, rounds=rounds, seed=7)
        with database.engine.begin() as connection:
            add_landlord_records(connection)
        print(f"  generated in {time.perf_counter() - started:.0f} s "
              f"({summary.created_tenants:,} new tenants)", flush=True)  # fmt: skip
    else:
        print(f"Demo data as an earlier run left it, SQLite at {path}", flush=True)

    raw_floor(path)
    with reading(database) as connection:
        catalog = load_catalog(connection, registry=registry)
        answers = measure("frames: answers (long, all questionnaires)",
                          lambda: answers_frame(connection, catalog=catalog))  # fmt: skip
        # The wide frame from the long one already read, as an analyst holding it does
        # (and as the TSM step below does): reading the answers again gave the same frame.
        measure("frames: sessions (wide, tsm_perception)",
                lambda: sessions_frame(connection, questionnaire_id="tsm_perception",
                                       registry=registry, answers=tsm_only(answers)))  # fmt: skip
    print(f"  {len(answers):,} answers", flush=True)
    measure(
        "segmentation (features, k-means, saving)",
        lambda: run_segmentation(database, SegmentOptions(seed=42), registry=registry),
    )

    def tsm() -> Any:
        with reading(database) as connection:
            people = tenant_attributes(connection, catalog)
            return tsm_results(connection, catalog=catalog, tenants=people,
                               answers=tsm_only(answers))  # fmt: skip

    results = measure("TSM table (measures, sample, representativeness)", tsm)
    print(f"  {results.respondents:,} TSM respondents", flush=True)
    report_steps(database, catalog, results)
    measure("export: answers to Parquet (pandas/pyarrow)",
            lambda: answers.to_parquet(scratch / "answers.parquet", index=False))  # fmt: skip
    if exports_too:
        measure("export: answers to CSV (pandas)",
                lambda: answers.to_csv(scratch / "answers.csv", index=False))  # fmt: skip
        exports(database, registry, scratch)
    summarise()
    database.dispose()


def tsm_only(answers: pd.DataFrame) -> pd.DataFrame:
    return answers[answers["questionnaire_id"] == "tsm_perception"]


def report_steps(database: Any, catalog: Any, results: Any) -> None:
    """The report's newer steps: weighting, key drivers, comment themes, the approach."""
    with reading(database) as connection:
        people = tenant_attributes(connection, catalog)
        comments = measure("report: reading free-text comments",
                           lambda: read_comments(connection, catalog))  # fmt: skip
    who = pd.Index(results.responses["respondent_id"].unique())
    weights = measure("report: rim weights (raking, trimming)",
                      lambda: respondent_weights(people, who))  # fmt: skip
    measure("report: weighted measures",
            lambda: weighted_measures(results.responses, weights, results.measures))  # fmt: skip
    measure("report: key drivers (Shapley R², 100 bootstraps)",
            lambda: key_drivers(results.responses))  # fmt: skip
    themes = measure("report: comment themes (lexicon, TF-IDF + NMF)",
                     lambda: find_themes(comments))  # fmt: skip
    print(f"  {themes.comments:,} comments", flush=True)
    inputs = ApproachInputs("Bench Housing", "None.")
    measure("report: summary of approach", lambda: summary_of_approach(results, inputs))


def exports(database: Any, registry: Any, scratch: Path) -> None:
    """The analysts' exports (analysis/exports, when it is installed) per questionnaire."""
    if importlib.util.find_spec("analysis.exports") is None:
        print("  analysis/exports not present: XLSX and SAV not measured", flush=True)
        return
    try:
        from analysis.exports.filters import ExportFilters
        from analysis.exports.table import build_export
        from analysis.exports.writers import write_export
    except ImportError as problem:
        print(f"  analysis/exports could not be imported ({problem}); skipped", flush=True)
        return
    for questionnaire in ("post_repair", "tsm_perception"):
        with reading(database) as connection:
            table = measure(f"export table: {questionnaire}", lambda q=questionnaire: build_export(
                connection, filters=ExportFilters(questionnaire_id=q), secret="bench",
                registry=registry))  # fmt: skip
        print(f"  {questionnaire}: {table.rows:,} sessions", flush=True)
        for fmt in ("csv", "parquet", "sav", "xlsx"):
            target = scratch / f"{questionnaire}.{fmt}"
            measure(f"export: {questionnaire} to {fmt.upper()}",
                    lambda f=fmt, t=target, e=table: write_export(e, f, t))  # fmt: skip


def summarise() -> None:
    wanted = ("frames:", "segmentation", "TSM table", "report:", "export: answers to Parquet")
    chosen = [r for r in RESULTS if r[0].startswith(wanted)]
    seconds = sum(r[1] for r in chosen)
    peak = max(r[2] for r in chosen)
    # Resetting VmHWM resets ru_maxrss too, so the run's peak is the largest step peak.
    overall = max(r[2] for r in RESULTS)
    verdict = "within" if seconds <= BUDGET_SECONDS and peak <= BUDGET_BYTES else "OVER"
    floor = FLOOR[0] if FLOOR else float("nan")
    cpu = sum(CPU.get(r[0], 0.0) for r in chosen)
    print(
        f"\nFrames + segmentation + TSM + report steps + Parquet: {seconds:.1f} s, CPU {cpu:.1f} s "
        f"({seconds / floor:.2f} x the raw floor of {floor:.2f} s), peak {peak / GIB:.2f} GiB "
        f"({verdict} the {BUDGET_SECONDS:.0f} s / {BUDGET_BYTES / GIB:.1f} GiB budget as seconds). "
        f"Largest peak of any step {overall / GIB:.2f} GiB."
    )
    allowed = BUDGET_SECONDS / BUDGET_FLOOR_SECONDS
    paced = "within" if seconds / floor <= allowed and peak <= BUDGET_BYTES else "OVER"
    print(
        f"At this machine's pace: {seconds / floor:.2f} x the floor against the "
        f"{allowed:.2f} x the budget allows ({BUDGET_SECONDS:.0f} s where the floor took "
        f"{BUDGET_FLOOR_SECONDS} s; here that is {allowed * floor:.1f} s): {paced}."
    )
    for name, seconds, _peak in RESULTS:
        if name.endswith("to XLSX"):
            verdict = "within" if seconds <= XLSX_BUDGET_SECONDS else "OVER"
            print(f"{name}: {seconds:.1f} s ({verdict} the {XLSX_BUDGET_SECONDS:.0f} s budget)")


if __name__ == "__main__":
    main()
