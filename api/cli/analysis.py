"""The bodies of `doorstep segment` and `doorstep demo-data` (bot/cli.py imports these lazily,
so the service itself never loads pandas or scikit-learn)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from analysis.demo.data import DemoDataError, create_demo_data, first_round, surveys_not_sent
from analysis.demo.landlord_records import add_landlord_records
from analysis.progress import timed_steps
from analysis.segments.clustering import NotEnoughTenants
from analysis.segments.run import RunResult, SegmentOptions, run_segmentation
from bot.service import Service, build_service
from bot.settings import get_settings

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def segment_command(
    *, k: int | None, seed: int, min_size: int | None, min_contacts: int, write_back: bool
) -> None:
    service = build_service(get_settings())
    options = SegmentOptions(
        seed=seed, k=k, min_size=min_size, min_contacts=min_contacts, write_back=write_back
    )
    with timed_steps(err) as step:
        try:
            result = run_segmentation(service.database, options, registry=service.registry,
                                      step=step)  # fmt: skip
        except NotEnoughTenants as problem:
            err.print(str(problem))
            raise typer.Exit(1) from None
        finally:
            service.database.dispose()
        step("Done")
    print_summary(result)


def print_summary(result: RunResult) -> None:
    chosen = (
        "fixed by you" if result.criterion == "fixed"
        else "best silhouette among 3 to 6 segments: " + ", ".join(
            f"k={k}: {score:.3f}" for k, score in sorted(result.scores.items()))
    )  # fmt: skip
    out.print(
        f"Segmentation run {result.run_id}: {result.tenants:,} tenants, "
        f"{result.segmented:,} in {result.k} segments ({chosen}), "
        f"{result.not_enough_data:,} with not enough data yet."
    )
    if result.merged:
        out.print(f"{result.merged} segment(s) below the minimum size were merged into others.")
    table = Table(show_lines=False)
    for column in ("code", "segment", "tenants", "share", "best channel", "best time", "new?"):
        table.add_column(column)
    for segment in result.segments:
        window = segment.window or {}
        table.add_row(
            segment.code, segment.label, f"{segment.size:,}",
            f"{segment.size / max(result.segmented, 1):.0%}", segment.channel or "",
            f"{window.get('days', '')} {window.get('start', '')}-{window.get('end', '')}",
            "matched" if segment.matched else "new",
        )  # fmt: skip
    table.add_row("N", "Not enough data yet", f"{result.not_enough_data:,}", "", "", "", "")
    out.print(table)
    for segment in result.segments:
        out.print(f"\n[bold]{segment.code} {segment.label}[/bold]")
        for sentence in segment.portrait:
            out.print(f"  - {sentence}")
    if not result.moved.empty:
        stayed = sum(
            int(result.moved.loc[label, label])
            for label in result.moved.index
            if label in result.moved.columns
        )
        total = int(result.moved.to_numpy().sum())
        out.print(f"\nSince the previous run: {stayed:,} of {total:,} tenants kept their segment.")
        moves = [
            (int(result.moved.loc[before, after]), str(before), str(after))
            for before in result.moved.index
            for after in result.moved.columns
            if before != after and result.moved.loc[before, after] > 0
        ]
        for count, before, after in sorted(moves, reverse=True)[:5]:
            out.print(f"  {count:,} moved from '{before}' to '{after}'")
    if result.profile_changes:
        out.print(
            f"\nRecommended channel and contact time updated in {result.profile_changes:,} "
            "profile value(s) (attributes recommended_channel, recommended_contact_time)."
        )


def demo_data_command(*, tenants: int, rounds: int, seed: int, landlord_records: bool) -> None:
    service = build_service(get_settings())
    try:
        with Progress(
            TextColumn("Creating demo tenants"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("tenants", total=tenants)
            summary = create_demo_data(
                service.database, service.registry, tenants=tenants, rounds=rounds, seed=seed,
                progress=lambda done: progress.advance(task, done),
            )  # fmt: skip
        records = _landlord_records(service) if landlord_records else None
    except DemoDataError as problem:
        err.print(str(problem))
        raise typer.Exit(1) from None
    finally:
        service.database.dispose()
    already = summary.tenants - summary.created_tenants
    out.print(
        f"Demo data: {summary.tenants:,} tenants ({summary.created_tenants:,} new, "
        f"{already:,} already there), {rounds} rounds of contact, seed {seed}. Added "
        f"{summary.sessions:,} sessions, {summary.answers:,} answers, "
        f"{summary.inbound:,} replies and {summary.outbound:,} outgoing messages in "
        f"{summary.seconds:.1f} s."
    )
    not_sent = _not_sent_sentence(service, rounds)
    if not_sent:
        out.print(not_sent)
    if records is None:
        out.print(
            "The tenants have no tenure, area or repair jobs, which a landlord's records would "
            "give: run again with --landlord-records to add them, so the report can break "
            "figures down by them."
        )
    else:
        out.print(f"Landlord records: {records:,} added (tenure, area and repair jobs).")


def _not_sent_sentence(service: Service, rounds: int) -> str | None:
    """Which surveys this many rounds are too few for, so an empty part of the report is
    not a surprise (the rounds cycle through the surveys; running again adds the rest)."""
    names = surveys_not_sent(rounds)
    if not names:
        return None
    titles = [
        f'"{service.registry.latest(name).title.get("en")}" (from round {first_round(name)})'
        for name in names
    ]
    listed = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]
    them = "it" if len(titles) == 1 else "them"
    return (
        f"With {rounds} round{'s' if rounds != 1 else ''} of contact no tenant has been sent "
        f"{listed} yet, so the report has no figures from {them}: run again with --rounds "
        f"{first_round(names[-1])} to add {them}."
    )


def _landlord_records(service: Service) -> int:
    """Tenure, area and repair jobs for the demo tenants that have none yet."""
    with Progress(
        TextColumn("Adding landlord records"), TimeElapsedColumn(), console=err, transient=True
    ) as progress:  # fmt: skip
        progress.add_task("records", total=None)
        with service.database.engine.begin() as connection:
            return add_landlord_records(connection)
