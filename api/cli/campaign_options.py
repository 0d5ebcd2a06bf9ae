"""The options of `doorstep campaign create` and `status`, declared once so each command's
signature reads as a list; numbers answer a wrong value in a sentence (`api.cli.numbers`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.numbers import decimal_number, whole_field
from bot.campaigns.spec import FIELDS

SpecFile = Annotated[
    Path | None, typer.Argument(help="A YAML or JSON campaign file; options override it.")
]
Text = str | None
Texts = list[str] | None
Number = int | None
NameOpt = Annotated[Text, typer.Option(help="A unique name.")]
QuestionnaireOpt = Annotated[Text, typer.Option(help="Questionnaire id.")]
StartOpt = Annotated[Text, typer.Option(help="Start, e.g. '2026-11-02 09:00'.")]
EndOpt = Annotated[Text, typer.Option(help="End (default: four weeks after start).")]
DaysOpt = Annotated[Text, typer.Option(help="Allowed days, e.g. mon-fri.")]
HoursOpt = Annotated[Text, typer.Option(help="Allowed local hours, e.g. 09:00-20:00.")]
TimezoneOpt = Annotated[Text, typer.Option(help="Default tenant timezone.")]
AreaOpt = Annotated[Texts, typer.Option(help="Only these areas.")]
TenureOpt = Annotated[Texts, typer.Option(help="Only these tenures.")]
SegmentOpt = Annotated[Texts, typer.Option(help="Only these segments.")]
AttributeOpt = Annotated[Texts, typer.Option(help="Profile filter name=value (repeatable).")]
NotSurveyedOpt = Annotated[
    Number,
    whole_field(
        "--not-surveyed-days",
        FIELDS["audience.not_surveyed_days"],
        "Skip tenants surveyed in this many days.",
    ),
]
SampleSizeOpt = Annotated[
    Number, whole_field("--sample-size", FIELDS["sample.size"], "Invite this many at random.")
]
MarginOpt = Annotated[Text, typer.Option(help="Sample for this margin of error: 0.04, or 'tsm'.")]
ResponseRateOpt = Annotated[
    float | None,
    decimal_number(
        "--response-rate", "expected response rate", "0.3", above=0, at_most=1, percent=True,
        help="Expected response rate, to size a --margin sample: 0.3 or 30%.",
    ),
]  # fmt: skip
IntervalOpt = Annotated[
    float,
    decimal_number("--interval", "time between refreshes in seconds", "2", above=0,
                   help="Seconds between refreshes."),
]  # fmt: skip
StratifyOpt = Annotated[
    Text, typer.Option(help="Spread the sample over this attribute, e.g. area.")
]
SeedOpt = Annotated[Number, whole_field("--seed", FIELDS["seed"], "Seed for a repeatable sample.")]
ChannelsOpt = Annotated[
    Text, typer.Option(help="Fallback channel order, e.g. sms,telegram,webchat.")
]
RateOpt = Annotated[Texts, typer.Option(help="Invitations per minute, e.g. sms=300.")]
RemindersOpt = Annotated[
    Number, whole_field("--reminders", FIELDS["reminders"], "How many reminders.")
]
ReminderHoursOpt = Annotated[
    Number,
    whole_field("--reminder-hours", FIELDS["reminder_interval_hours"], "Hours between reminders."),
]
ExpiryOpt = Annotated[
    Number,
    whole_field("--expiry-days", FIELDS["session_expiry_days"], "Days before a session expires."),
]
ScheduleOpt = Annotated[bool, typer.Option("--schedule", help="Schedule it straight away.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the pre-launch estimate; store nothing.")
]
