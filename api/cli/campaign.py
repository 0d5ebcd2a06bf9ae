"""`doorstep campaign create|schedule|pause|resume|cancel|status|letters`."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from api.cli import campaign_estimate, campaign_letters
from api.cli.campaign_options import (
    AreaOpt,
    AttributeOpt,
    ChannelsOpt,
    DaysOpt,
    DryRunOpt,
    EndOpt,
    ExpiryOpt,
    HoursOpt,
    IntervalOpt,
    MarginOpt,
    NameOpt,
    NotSurveyedOpt,
    QuestionnaireOpt,
    RateOpt,
    ReminderHoursOpt,
    RemindersOpt,
    ResponseRateOpt,
    SampleSizeOpt,
    ScheduleOpt,
    SeedOpt,
    SegmentOpt,
    SpecFile,
    StartOpt,
    StratifyOpt,
    TenureOpt,
    TimezoneOpt,
)
from bot.campaigns import service as campaign_service
from bot.campaigns.audience import select_targets
from bot.campaigns.lifecycle import CampaignStateError
from bot.campaigns.models import CampaignState
from bot.campaigns.progress import COUNTS, Progress, campaign_progress
from bot.campaigns.report import skipped_by_reason
from bot.campaigns.spec import (
    Audience,
    CampaignSpecError,
    Sample,
    parse_spec,
    read_spec_file,
)
from bot.campaigns.store import UnknownCampaign, load_campaign
from bot.service import Service, build_service
from bot.storage.models import utcnow

app = typer.Typer(help="Schedule campaigns and watch their progress.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
Key = Annotated[str, typer.Argument(metavar="CAMPAIGN", help="The campaign's name or number.")]
app.command("letters")(campaign_letters.letters)
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
    spec_file: SpecFile = None,
    name: NameOpt = None,
    questionnaire: QuestionnaireOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    days: DaysOpt = None,
    hours: HoursOpt = None,
    timezone: TimezoneOpt = None,
    area: AreaOpt = None,
    tenure: TenureOpt = None,
    segment: SegmentOpt = None,
    attribute: AttributeOpt = None,
    not_surveyed_days: NotSurveyedOpt = None,
    sample_size: SampleSizeOpt = None,
    margin: MarginOpt = None,
    response_rate: ResponseRateOpt = None,
    stratify_by: StratifyOpt = None,
    seed: SeedOpt = None,
    channels: ChannelsOpt = None,
    rate: RateOpt = None,
    reminders: RemindersOpt = None,
    reminder_hours: ReminderHoursOpt = None,
    expiry_days: ExpiryOpt = None,
    schedule_now: ScheduleOpt = False,
    dry_run: DryRunOpt = False,
) -> None:
    """Create a draft campaign from a file and/or options."""
    data = _spec_file(spec_file)
    given = {
        "name": name, "questionnaire": questionnaire, "starts_at": start, "ends_at": end,
        "days": days, "hours": hours, "timezone": timezone, "channels": channels,
        "reminders": reminders, "reminder_interval_hours": reminder_hours,
        "session_expiry_days": expiry_days, "seed": seed,
    }  # fmt: skip
    data.update({key: value for key, value in given.items() if value is not None})
    filters = {"area": area, "tenure": tenure, "segment": segment}
    data["audience"] = _audience(data.get("audience"), filters, attribute, not_surveyed_days)
    if rate:
        data["send_rate_per_minute"] = {k: float(v) for k, v in _pairs(rate, "--rate").items()}
    if sample_size is not None or margin is not None:
        data["sample"] = _sample(data.get("sample"), sample_size, margin, stratify_by)
    if response_rate is not None:
        if not isinstance(data.get("sample"), dict):
            raise _fail(
                "The campaign was not created: the expected response rate only sizes a "
                "sample, so give it with --margin (for example --margin tsm --response-rate "
                "0.3), or leave it out."
            )
        data["sample"]["response_rate"] = response_rate
    if dry_run:
        _estimate(data)
        return
    _store(data, schedule_now)


def _estimate(data: dict[str, Any]) -> None:
    service = build_service()
    try:
        spec = parse_spec(data)
        found = campaign_estimate.compute(service, spec)
    except CampaignSpecError as error:
        raise _fail("The campaign cannot be estimated:\n" + str(error)) from None
    except KeyError:
        raise _fail(f"No questionnaire {data.get('questionnaire')!r} is loaded.") from None
    finally:
        service.database.dispose()
    campaign_estimate.show(out, spec, found)


def _spec_file(path: Path | None) -> dict[str, Any]:
    try:
        return read_spec_file(path) if path else {}
    except CampaignSpecError as error:
        raise _fail(str(error)) from None


def _audience(
    given: Any,
    filters: dict[str, list[str] | None],
    attribute: list[str] | None,
    not_surveyed_days: int | None,
) -> dict[str, Any]:
    """The file's audience with the options' filters laid over it."""
    audience = dict(given or {})
    audience.update({key: value for key, value in filters.items() if value})
    if attribute:
        audience["attributes"] = {
            **audience.get("attributes", {}),
            **_pairs(attribute, "--attribute"),
        }
    if not_surveyed_days is not None:
        audience["not_surveyed_days"] = not_surveyed_days
    return audience


def _sample(
    given: Any, size: int | None, margin: str | None, stratify_by: str | None
) -> dict[str, Any]:
    sample: dict[str, Any] = dict(given or {})
    sample.update(size=size, margin=_margin(margin) if margin else None)
    if stratify_by:
        sample.update(method="stratified", by=stratify_by)
    return sample


def _store(data: dict[str, Any], schedule_now: bool) -> None:
    """Create (and perhaps schedule) the campaign, then say what was done."""
    service = build_service()
    try:
        spec = parse_spec(data)
        with service.database.engine.begin() as connection:
            campaign_id = campaign_service.create_campaign(
                connection, service.registry, spec, utcnow()
            )
            if schedule_now:
                campaign_service.change_state(connection, campaign_id, "schedule", utcnow())
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
            campaign = campaign_service.change_state(connection, key, action, utcnow())
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
        str | None,
        typer.Argument(metavar="CAMPAIGN", help="A campaign (all campaigns if left out)."),
    ] = None,
    watch: Annotated[
        bool | None,
        typer.Option("--watch/--once", help="Keep the display live (default on a terminal)."),
    ] = None,
    interval: IntervalOpt = 2.0,
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
                    reasons = skipped_by_reason(connection, progress.campaign.id)
                state = progress.campaign.state.value
                print(json.dumps({"state": state, **progress.as_dict(), "skipped_by": reasons}))
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
        reasons = skipped_by_reason(connection, progress.campaign.id)
    parts: list[Table] = [progress_table(progress)]
    if reasons:
        why = Table(title="Not invited, by reason")
        why.add_column("reason")
        why.add_column("tenants", justify="right")
        for reason, number in reasons.items():
            why.add_row(reason, f"{number:,}")
        parts.append(why)
    return Group(*parts)


def _all_campaigns(service: Service) -> Table:
    table = Table(title="Campaigns")
    for column in ("number", "name", "questionnaire", "state", "starts (UTC)", "ends (UTC)"):
        table.add_column(column)
    with service.database.engine.connect() as connection:
        found = campaign_service.list_campaigns(connection)
    for campaign in reversed(found):  # oldest first
        starts = datetime.datetime.fromisoformat(campaign["starts_at"])
        ends = datetime.datetime.fromisoformat(campaign["ends_at"])
        table.add_row(
            str(campaign["id"]), campaign["name"], campaign["questionnaire"], campaign["state"],
            f"{starts:%d %b %Y %H:%M}", f"{ends:%d %b %Y %H:%M}",
        )  # fmt: skip
    return table
