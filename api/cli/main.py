"""The `doorstep` command: validate, simulate, serve and look after the database."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import DBAPIError
from typer.core import TyperOption

from api.cli.apikey import app as apikey_app
from api.cli.campaign import app as campaign_app
from api.cli.check import check_command
from api.cli.db import db_backup, db_restore
from api.cli.export import export_command
from api.cli.i18n import app as i18n_app
from api.cli.numbers import whole_number
from api.cli.repairs import dnc_app, repairs_app
from api.cli.respondent import app as respondent_app
from api.cli.respondent import retention as run_retention
from api.cli.serve import db_upgrade, serve, show_version, usable_questionnaires
from api.cli.tenants import app as tenants_app
from api.cli.users import app as users_app
from api.cli.versions import stored_changes, version_line
from api.cli.whatsapp import app as whatsapp_app
from api.cli.worker import worker_command
from bot.questionnaire.compiler import compile_file
from bot.questionnaire.model import Questionnaire
from bot.questionnaire.problems import Severity
from bot.questionnaire.registry import changed_sentence, questionnaire_files
from bot.settings import get_settings
from bot.settings_checks import settings_error_sentences
from bot.storage.health import describe, is_unavailable, missing_folder

app = typer.Typer(
    help="Doorstep: conversational surveys for social-housing landlords.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _flags_without_a_type() -> None:
    """Typer's rich help prints "<bool>" after every flag, though a flag takes no value."""
    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else shown(self, ctx)

    setattr(TyperOption, "display_type_rich", display_type_rich)  # noqa: B010


_flags_without_a_type()
db_app = typer.Typer(help="Look after the database.", no_args_is_help=True)
db_app.command("upgrade")(db_upgrade)
db_app.command("backup")(db_backup)
db_app.command("restore")(db_restore)
telegram_app = typer.Typer(help="Connect tenants on Telegram.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Show the version and stop."
        ),
    ] = False,
) -> None:
    """Doorstep: conversational surveys for social-housing landlords."""


def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Questionnaire files or folders.")
    ] = None,
    sms_cost: Annotated[
        bool, typer.Option("--sms-cost", help="Show SMS segments per prompt and language.")
    ] = False,
) -> None:
    """Check questionnaires and print every problem as file:line:col: question: what — fix."""
    settings = get_settings()
    files = questionnaire_files(paths or [settings.questionnaires_dir])
    if not files:
        err.print("No questionnaire files (*.yaml) found in the paths given.")
        raise typer.Exit(1)
    errors = warnings = 0
    loaded: list[Questionnaire] = []
    for path in files:
        result = compile_file(path, landlord_name=settings.landlord_name)
        for problem in result.problems:
            print(str(problem))
            if problem.severity is Severity.ERROR:
                errors += 1
            else:
                warnings += 1
        if result.questionnaire is not None:
            q = result.questionnaire
            loaded.append(q)
            statuses = ", ".join(f"{code} ({status})" for code, status in q.languages.items())
            out.print(f"{path}: {q.id} {q.version}, {len(q.questions)} questions; {statuses}")
            if sms_cost:
                _print_sms_cost(q, settings.landlord_name)
    for changed in stored_changes(settings, loaded):
        line = version_line(changed.source_path)
        print(f"{changed.source_path}:{line}:1: warning: {changed_sentence(changed)}")
        warnings += 1
    summary = f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)."
    (err if errors else out).print(summary)
    raise typer.Exit(1 if errors else 0)


def _print_sms_cost(questionnaire: Questionnaire, landlord: str) -> None:
    from rich.table import Table

    from bot.questionnaire.sms_cost import sms_costs

    table = Table(title=f"SMS cost of {questionnaire.id} (segments per prompt)")
    for column in (
        "language",
        "prompts",
        "total",
        "average",
        "most",
        "UCS-2 prompts",
        "characters forcing UCS-2",
    ):
        table.add_column(column)
    for cost in sms_costs(questionnaire, landlord):
        table.add_row(
            cost.language,
            str(cost.prompts),
            str(cost.total_segments),
            f"{cost.average:.1f}",
            f"{cost.most_segments} ({cost.costliest})",
            str(cost.ucs2_prompts),
            cost.forcing_characters or "-",
        )
    out.print(table)


def simulate(
    questionnaire: Annotated[str, typer.Argument(help="Questionnaire id, e.g. post_repair.")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language code, e.g. cy.")] = None,
    address: Annotated[str, typer.Option(help="Who you are pretending to be.")] = "terminal-1",
) -> None:
    """Answer a questionnaire in the terminal, through the real engine and database."""
    from api.cli.simulate import run_simulation

    usable_questionnaires(get_settings())
    run_simulation(questionnaire, language=lang, address=address)


@telegram_app.command("link-url")
def telegram_link_url(
    tenant_ref: Annotated[str, typer.Argument(help="The tenant's reference, e.g. T-10042.")],
) -> None:
    """Print a single-use link that connects the tenant's Telegram chat to their record."""
    from bot.storage.db import Database
    from bot.storage.models import utcnow
    from channels.telegram.links import UnknownTenant, issue_link

    settings = get_settings()
    if not settings.telegram_bot_username:
        err.print("Set DOORSTEP_TELEGRAM_BOT_USERNAME to the bot's username first.")
        raise typer.Exit(1)
    database = Database(settings.database_url)
    try:
        database.create_schema()
        link = issue_link(
            database, tenant_ref=tenant_ref, now=utcnow(), days=settings.telegram_link_days
        )
    except UnknownTenant:
        err.print(f"No tenant has the reference {tenant_ref!r}; check it.", markup=False)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    print(link.url(settings.telegram_bot_username))
    err.print(f"It works once and expires on {link.expires_at:%d %B %Y at %H:%M} UTC.")


@telegram_app.command("poll")
def telegram_poll() -> None:
    """Take Telegram updates by long polling and send replies (no public URL needed)."""
    from api.webhooks.telegram import PollingFailed, run_polling

    settings = get_settings()
    if not settings.telegram_enabled:
        err.print("Set DOORSTEP_TELEGRAM_BOT_TOKEN to the token @BotFather gave you first.")
        raise typer.Exit(1)
    usable_questionnaires(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    out.print("Polling Telegram (any webhook is removed); press Ctrl+C to stop.")
    try:
        run_polling(settings)
    except PollingFailed as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None


# The whole-number options of `segment` and `demo-data`, each with how people call it and a
# value that works, for the sentence a wrong value gets (api/cli/numbers.py).
SegmentsOpt = Annotated[
    int | None,
    whole_number("--k", "number of segments", 4, at_least=2, at_most=10,
                 help="Fix the number of segments (else 3 to 6)."),
]  # fmt: skip
MinSizeOpt = Annotated[
    int | None,
    whole_number("--min-size", "smallest segment size", 50, at_least=1,
                 help="Smallest segment (default 5% of tenants)."),
]  # fmt: skip
MinContactsOpt = Annotated[
    int,
    whole_number("--min-contacts", "number of contacts before behaviour counts", 2,
                 at_least=1, help="Contacts before behaviour counts as data."),
]  # fmt: skip
TenantsOpt = Annotated[
    int,
    whole_number("--tenants", "number of tenants", 2000, at_least=1,
                 help="How many demo tenants."),
]  # fmt: skip
RoundsOpt = Annotated[
    int,
    whole_number("--rounds", "number of rounds of contact", 10, at_least=1,
                 help="Monthly rounds of contact."),
]  # fmt: skip


def segment(
    k: SegmentsOpt = None,
    seed: Annotated[
        int,
        whole_number("--seed", "random seed", 42, help="Random seed: the same seed, the same run."),
    ] = 42,
    min_size: MinSizeOpt = None,
    min_contacts: MinContactsOpt = 2,
    write_back: Annotated[
        bool, typer.Option(help="Write each tenant's recommended channel and time.")
    ] = True,
) -> None:
    """Group tenants by how they prefer to be contacted and print the segments."""
    from api.cli.analysis import segment_command

    segment_command(
        k=k, seed=seed, min_size=min_size, min_contacts=min_contacts, write_back=write_back
    )


def demo_data(
    tenants: TenantsOpt = 1000,
    rounds: RoundsOpt = 10,
    seed: Annotated[
        int,
        whole_number("--seed", "random seed", 7, help="The same seed gives the same tenants."),
    ] = 7,
    landlord_records: Annotated[
        bool,
        typer.Option(
            "--landlord-records",
            help="Also give the demo tenants what a landlord's import and repairs feed would: "
            "tenure, area and a repair job behind each post-repair survey, so the report can "
            "break figures down by them.",
        ),
    ] = False,
) -> None:
    """Create synthetic tenants with planted communication-preference segments."""
    from api.cli.analysis import demo_data_command

    demo_data_command(tenants=tenants, rounds=rounds, seed=seed, landlord_records=landlord_records)


def report(
    output: Annotated[Path, typer.Option("--output", help="Folder for report.html and the CSVs.")],
    weight: Annotated[
        bool,
        typer.Option(
            "--weight",
            help="Also show TSM results weighted to the tenant base (age band, area, tenure).",
        ),
    ] = False,
    quotes: Annotated[
        bool,
        typer.Option(
            "--quotes",
            help="Show scrubbed example comments beside the themes (or DOORSTEP_REPORT_QUOTES).",
        ),
    ] = False,
) -> None:
    """Write the HTML report for the board and the regulator, with its tables as CSV.

    Headline, TSM measures and the summary of approach, key drivers, comment themes, repairs,
    segments and response rates."""
    from api.cli.report import report_command

    report_command(output=output, weight=weight, quotes=quotes)


# Commands in the order a new landlord meets them, grouped into panels. Collections have
# singular names (`doorstep tenant import`); the old plural names still work, unlisted.
_START, _SURVEYS, _RESULTS, _RIGHTS, _ADMIN = (
    "Start here",
    "Tenants and surveys",
    "Responses and reports",
    "Data rights",
    "Administration",
)
for _name, _function, _panel in (
    ("serve", serve, _START),
    ("validate", validate, _START),
    ("simulate", simulate, _START),
    ("check", check_command, _START),
    ("worker", worker_command, _SURVEYS),  # also places this panel second
    ("export", export_command, _RESULTS),  # light to import: pandas loads when it runs
    ("report", report, _RESULTS),
    ("segment", segment, _RESULTS),
    ("demo-data", demo_data, _RESULTS),
    ("retention", run_retention, _RIGHTS),
):
    app.command(_name, rich_help_panel=_panel)(_function)
for _name, _group, _panel in (
    ("db", db_app, _START),
    ("tenant", tenants_app, _SURVEYS),
    ("repair", repairs_app, _SURVEYS),
    ("campaign", campaign_app, _SURVEYS),
    ("dnc", dnc_app, _SURVEYS),
    ("telegram", telegram_app, _SURVEYS),
    ("whatsapp", whatsapp_app, _SURVEYS),
    ("respondent", respondent_app, _RIGHTS),
    ("user", users_app, _ADMIN),
    ("apikey", apikey_app, _ADMIN),
    ("i18n", i18n_app, _ADMIN),
):
    app.add_typer(_group, name=_name, rich_help_panel=_panel)
for _old, _group in (("tenants", tenants_app), ("repairs", repairs_app), ("users", users_app)):
    app.add_typer(_group, name=_old, hidden=True)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Stopped.")
        sys.exit(130)
    except DBAPIError as error:
        if not is_unavailable(error):
            raise
        # Any command that opens the database: one sentence naming it, never a traceback.
        url = get_settings().database_url
        err.print(missing_folder(url) or describe(error, url), markup=False)
        sys.exit(1)
    except ValidationError as error:
        if error.title != "Settings":
            raise
        for sentence in settings_error_sentences(error):  # not pydantic's traceback
            err.print(sentence, markup=False)
        sys.exit(2)
