"""Analysis benchmark: frames, segmentation, the TSM table and every export format.

    python bench/analysis.py [--tenants 100000] [--rounds 5] [--database PATH]

Also times the report's newer steps (weighting, key drivers, comment themes, summary of
approach). Generates the demo population through the database with the real demo generator (the
engine's tables, one transaction per block of 500 tenants) into a temporary SQLite file,
adds tenure, area and repair jobs (`analysis.demo.landlord_records`), then times each step and its
peak memory. Peak memory is the process's resident high-water mark (VmHWM), reset before
each step through /proc/self/clear_refs, so each figure is that step's own peak including
what was already in memory (the frames stay loaded). Where the reset is not available it
falls back to ru_maxrss, the peak of the whole run so far.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
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
from bot.service import build_service
from bot.settings import Settings

GIB = 1024**3
RESULTS: list[tuple[str, float, float]] = []


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


def measure(name: str, work: Callable[[], Any]) -> Any:
    gc.collect()
    _reset_peak()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = _peak_bytes()
    RESULTS.append((name, seconds, peak))
    print(f"  {name:<42} {seconds:7.1f} s   peak {peak / GIB:5.2f} GiB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database", type=Path, help="reuse (or keep) this SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.database or Path(scratch) / "bench.db"
        run(path, Path(scratch), args.tenants, args.rounds)


def run(path: Path, scratch: Path, tenants: int, rounds: int) -> None:
    settings = Settings(environment="test", database_url=f"sqlite:///{path}")
    service = build_service(settings)
    database, registry = service.database, service.registry
    print(f"Demo data: {tenants:,} tenants, {rounds} rounds, SQLite at {path}", flush=True)
    started = time.perf_counter()
    summary = create_demo_data(database, registry, tenants=tenants, rounds=rounds, seed=7)
    with database.engine.begin() as connection:
        add_landlord_records(connection)
    print(f"  generated in {time.perf_counter() - started:.0f} s "
          f"({summary.created_tenants:,} new tenants)", flush=True)  # fmt: skip

    with reading(database) as connection:
        catalog = load_catalog(connection, registry=registry)
        answers = measure("frames: answers (long, all questionnaires)",
                          lambda: answers_frame(connection, catalog=catalog))  # fmt: skip
        measure("frames: sessions (wide, tsm_perception)",
                lambda: sessions_frame(connection, questionnaire_id="tsm_perception",
                                       registry=registry))  # fmt: skip
    print(f"  {len(answers):,} answers", flush=True)
    measure(
        "segmentation (features, k-means, saving)",
        lambda: run_segmentation(database, SegmentOptions(seed=42), registry=registry),
    )

    def tsm() -> Any:
        with reading(database) as connection:
            people = tenant_attributes(connection, catalog)
            tsm_answers = answers[answers["questionnaire_id"] == "tsm_perception"]
            return tsm_results(connection, catalog=catalog, tenants=people, answers=tsm_answers)

    results = measure("TSM table (measures, sample, representativeness)", tsm)
    print(f"  {results.respondents:,} TSM respondents", flush=True)
    report_steps(database, catalog, results)
    measure("export: answers to Parquet (pandas/pyarrow)",
            lambda: answers.to_parquet(scratch / "answers.parquet", index=False))  # fmt: skip
    measure("export: answers to CSV (pandas)",
            lambda: answers.to_csv(scratch / "answers.csv", index=False))  # fmt: skip
    exports(database, registry, scratch)
    summarise()
    database.dispose()


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
    wanted = ("frames:", "segmentation", "TSM table", "export: answers to Parquet")
    chosen = [r for r in RESULTS if r[0].startswith(wanted)]
    seconds = sum(r[1] for r in chosen)
    peak = max(r[2] for r in chosen)
    # Resetting VmHWM resets ru_maxrss too, so the run's peak is the largest step peak.
    overall = max(r[2] for r in RESULTS)
    verdict = "within" if seconds < 60 and peak < 4 * GIB else "OVER"
    print(
        f"\nFrames + segmentation + TSM + Parquet: {seconds:.1f} s, peak {peak / GIB:.2f} GiB "
        f"({verdict} the 60 s / 4 GiB budget). Largest peak of any step {overall / GIB:.2f} GiB."
    )


if __name__ == "__main__":
    main()
