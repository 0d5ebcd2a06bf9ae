"""`doorstep campaign create|schedule|pause|resume|cancel|status`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from bot.campaigns import lifecycle
from bot.campaigns.audience import select_targets
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.models import CampaignState
from bot.campaigns.progress import COUNTS, Progress, campaign_progress
from bot.campaigns.spec import Audience, CampaignSpecError, Sample, parse_spec, read_spec_file
from bot.campaigns.store import UnknownCampaign, load_campaign
from bot.service import Service, build_service
from bot.storage.models import utcnow
from bot.storage.tables import CAMPAIGNS

app = typer.Typer(help="Schedule campaigns and watch their progress.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
Key = Annotated[str, typer.Argument(help="The campaign's name or number.")]
FINAL = (CampaignState.COMPLETED, CampaignState.CANCELLED)


def _fail(message: str) -> typer.Exit:
    err.print(message, markup=False)
    return typer.Exit(1)


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    found = {}
    for item in values or []:
        name, separator, value = item.partition("=")
        if not separator or not name.strip():
            raise _fail(f"{what} {item!r} must look like name=value.")
        found[name.strip()] = value.strip()
    return found


@app.command()
def create(
    spec_file: Annotated[
        Path | None, typer.Argument(help="A YAML or JSON campaign file; options override it.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A unique name.")] = None,
    questionnaire: Annotated[str | None, typer.Option(help="Questionnaire id.")] = None,
    start: Annotated[str | None, typer.Option(help="Start, e.g. '2026-11-02 09:00'.")] = None,
    end: Annotated[str | None, typer.Option(help="End (default: four weeks after start).")] = None,
    days: Annotated[str | None, typer.Option(help="Allowed days, e.g. mon-fri.")] = None,
    hours: Annotated[
        str | None, typer.Option(help="Allowed local hours, e.g. 09:00-20:00.")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="Default tenant timezone.")] = None,
    area: Annotated[list[str] | None, typer.Option(help="Only these areas.")] = None,
    tenure: Annotated[list[str] | None, typer.Option(help="Only these tenures.")] = None,
    segment: Annotated[list[str] | None, typer.Option(help="Only these segments.")] = None,
    attribute: Annotated[
        list[str] | None, typer.Option(help="Profile filter name=value (repeatable).")
    ] = None,
    not_surveyed_days: Annotated[
        int | None, typer.Option(help="Skip tenants surveyed in this many days.")
    ] = None,
    sample_size: Annotated[int | None, typer.Option(help="Invite this many at random.")] = None,
    margin: Annotated[
        str | None, typer.Option(help="Sample for this margin of error: 0.04, or 'tsm'.")
    ] = None,
    response_rate: Annotated[
        float | None, typer.Option(help="Expected response rate, to size the sample.")
    ] = None,
    stratify_by: Annotated[
        str | None, typer.Option(help="Spread the sample over this attribute, e.g. area.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed for a repeatable sample.")] = None,
    channels: Annotated[
        str | None, typer.Option(help="Fallback channel order, e.g. sms,telegram,webchat.")
    ] = None,
    rate: Annotated[
        list[str] | None, typer.Option(help="Invitations per minute, e.g. sms=300.")
    ] = None,
    reminders: Annotated[int | None, typer.Option(help="How many reminders.")] = None,
    reminder_hours: Annotated[int | None, typer.Option(help="Hours between reminders.")] = None,
    expiry_days: Annotated[int | None, typer.Option(help="Days before a session expires.")] = None,
    schedule_now: Annotated[
        bool, typer.Option("--schedule", help="Schedule it straight away.")
    ] = False,
) -> None:
    """Create a draft campaign from a file and/or options."""
    try:
        data: dict[str, Any] = read_spec_file(spec_file) if spec_file else {}
    except CampaignSpecError as error:
        raise _fail(str(error)) from None
    given = {
        "name": name, "questionnaire": questionnaire, "starts_at": start, "ends_at": end,
        "days": days, "hours": hours, "timezone": timezone, "channels": channels,
        "reminders": reminders, "reminder_interval_hours": reminder_hours,
        "session_expiry_days": expiry_days, "seed": seed,
    }  # fmt: skip
    data.update({key: value for key, value in given.items() if value is not None})
    audience = dict(data.get("audience") or {})
    filters = {"area": area, "tenure": tenure, "segment": segment}
    audience.update({key: value for key, value in filters.items() if value})
    if attribute:
        audience["attributes"] = {
            **audience.get("attributes", {}),
            **_pairs(attribute, "--attribute"),
        }
    if not_surveyed_days is not None:
        audience["not_surveyed_days"] = not_surveyed_days
    data["audience"] = audience
    if rate:
        data["send_rate_per_minute"] = {k: float(v) for k, v in _pairs(rate, "--rate").items()}
    if sample_size is not None or margin is not None:
        sample: dict[str, Any] = dict(data.get("sample") or {})
        sample.update(size=sample_size, margin=_margin(margin) if margin else None)
        if stratify_by:
            sample.update(method="stratified", by=stratify_by)
        if response_rate is not None:
            sample["response_rate"] = response_rate
        data["sample"] = sample
    service = build_service()
    try:
        spec = parse_spec(data)
        with service.database.engine.begin() as connection:
            campaign_id = lifecycle.create_campaign(connection, service.registry, spec, utcnow())
            if schedule_now:
                lifecycle.schedule(connection, campaign_id, utcnow())
    except CampaignSpecError as error:
        raise _fail("The campaign was not created:\n" + str(error)) from None
    finally:
        service.database.dispose()
    state = "scheduled" if schedule_now else "created as a draft (schedule it to start)"
    out.print(f"Campaign {campaign_id} {spec.name!r} {state}.", markup=False)


def _margin(text: str) -> float | str:
    if text.strip().lower() == "tsm":
        return "tsm"
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        raise _fail(f"--margin {text!r} must be a fraction like 0.04, or tsm.") from None
    return value / 100 if value >= 1 else value


def _change(action: str, key: str, done: str) -> None:
    service = build_service()
    try:
        with service.database.engine.begin() as connection:
            campaign = getattr(lifecycle, action)(connection, key, utcnow())
        preview = _preview(service, campaign) if action == "schedule" else ""
    except (CampaignStateError, UnknownCampaign) as error:
        raise _fail(str(error)) from None
    finally:
        service.database.dispose()
    out.print(f"Campaign {campaign.name!r} {done}. {preview}".strip(), markup=False)


def _preview(service: Service, campaign: Any) -> str:
    """How many tenants the campaign would reach if it started now."""
    with service.database.engine.connect() as connection:
        sample = Sample.model_validate(campaign.sample) if campaign.sample else None
        selection = select_targets(
            connection, Audience.model_validate(campaign.audience), sample, campaign.seed, utcnow()
        )
    return (
        f"{selection.population} tenant(s) match the audience today; "
        f"{len(selection.chosen)} would be invited ({selection.sample_note}). "
        f"It starts {campaign.starts_at:%d %b %Y %H:%M} UTC."
    )


@app.command()
def schedule(key: Key) -> None:
    """Schedule a draft: it starts by itself at its start time."""
    _change("schedule", key, "is scheduled")


@app.command()
def pause(key: Key) -> None:
    """Stop sending now; invitations not yet sent are held back."""
    _change("pause", key, "is paused")


@app.command()
def resume(key: Key) -> None:
    """Carry on after a pause."""
    _change("resume", key, "is resumed")


@app.command()
def cancel(key: Key) -> None:
    """Stop for good; nothing more is sent."""
    _change("cancel", key, "is cancelled")


def progress_table(progress: Progress) -> Table:
    """One row per count, one column per channel (there are few channels, many counts)."""
    campaign = progress.campaign
    table = Table(
        title=f"{campaign.name} — {campaign.state.value} ({campaign.questionnaire_id})",
        caption=f"{campaign.starts_at:%d %b %H:%M} to {campaign.ends_at:%d %b %Y %H:%M} UTC",
    )
    by_channel = progress.as_dict()
    table.add_column("")
    for channel in by_channel:
        table.add_column(channel, justify="right")
    for name in COUNTS:
        table.add_row(
            name.replace("_", " "), *(f"{counts[name]:,}" for counts in by_channel.values())
        )
    return table


@app.command()
def status(
    key: Annotated[
        str | None, typer.Argument(help="A campaign (all campaigns if left out).")
    ] = None,
    watch: Annotated[
        bool | None,
        typer.Option("--watch/--once", help="Keep the display live (default on a terminal)."),
    ] = None,
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.")] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Progress per channel: targeted, sent, delivered, started, completed, declined, ..."""
    service = build_service(migrate=False)
    try:
        if key is None:
            out.print(_all_campaigns(service))
            return
        live = out.is_terminal if watch is None else watch
        try:
            if as_json:
                with service.database.engine.connect() as connection:
                    progress = campaign_progress(connection, key)
                print(json.dumps({"state": progress.campaign.state.value, **progress.as_dict()}))
                return
            if not live:
                out.print(_render(service, key))
                return
            with Live(_render(service, key), console=out, refresh_per_second=4) as display:
                while True:
                    time.sleep(interval)
                    display.update(_render(service, key))
                    if _state(service, key) in FINAL:
                        break
            if not out.is_terminal:
                out.print()
        except UnknownCampaign as error:
            raise _fail(str(error)) from None
    except KeyboardInterrupt:
        pass
    finally:
        service.database.dispose()


def _state(service: Service, key: str) -> CampaignState:
    with service.database.engine.connect() as connection:
        return load_campaign(connection, key).state


def _render(service: Service, key: str) -> Group:
    with service.database.engine.connect() as connection:
        progress = campaign_progress(connection, key)
    return Group(progress_table(progress))


def _all_campaigns(service: Service) -> Table:
    table = Table(title="Campaigns")
    for column in ("number", "name", "questionnaire", "state", "starts (UTC)", "ends (UTC)"):
        table.add_column(column)
    with service.database.engine.connect() as connection:
        rows = connection.execute(CAMPAIGNS.select().order_by(CAMPAIGNS.c.id)).all()
    for row in rows:
        table.add_row(
            str(row.id), row.name, row.questionnaire_id, row.state,
            f"{row.starts_at:%d %b %Y %H:%M}", f"{row.ends_at:%d %b %Y %H:%M}",
        )  # fmt: skip
    return table
