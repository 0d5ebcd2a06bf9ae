"""The repairs and do-not-contact commands: `doorstep repair|dnc ...`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from api.cli.tenants import open_database, print_problems, progress_bar
from bot.outreach import contact_policy
from bot.repairs.importer import import_repairs
from bot.settings import get_settings
from bot.storage.models import utcnow
from bot.storage.tables import DNC, RESPONDENTS
from bot.tenants.lookup import find_respondent_id
from bot.tenants.table import TableError
from bot.tenants.values import phones

repairs_app = typer.Typer(help="Post-repair follow-up surveys.", no_args_is_help=True)
dnc_app = typer.Typer(help="The do-not-contact list.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@repairs_app.command("import")
def repairs_import(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file of completed repairs.")],
    sheet: Annotated[str | None, typer.Option(help="Worksheet name (default: the first).")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write every error and warning to this CSV file.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row but save nothing.")
    ] = False,
) -> None:
    """Schedule one follow-up survey per completed job (a job already known is left alone)."""
    database = open_database()
    try:
        with progress_bar("Reading repairs") as update:
            summary = import_repairs(
                database, file, settings=get_settings(), now=utcnow(), sheet=sheet,
                on_progress=update, dry_run=dry_run,
            )  # fmt: skip
    except TableError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    print_problems(summary.problems, report)
    (err if summary.refused else out).print(summary.line(), markup=False)
    raise typer.Exit(1 if summary.refused else 0)


TenantOption = Annotated[str | None, typer.Option("--tenant", help="Tenant reference.")]
SmsOption = Annotated[str | None, typer.Option("--sms", help="A mobile number.")]
ChannelOption = Annotated[
    str | None, typer.Option(help="whatsapp (+44…), telegram or webchat, with --address.")
]
AddressOption = Annotated[str | None, typer.Option(help="The address on --channel.")]


@dataclass(frozen=True)
class _Listed:
    respondent_id: int | None = None
    channel: str | None = None
    address: str | None = None


def _listed(
    tenant: str | None, sms: str | None, channel: str | None, address: str | None
) -> _Listed:
    given = [value for value in (tenant, sms, channel and address) if value]
    if len(given) != 1:
        err.print("Give exactly one of --tenant REF, --sms NUMBER, or --channel and --address.")
        raise typer.Exit(2)
    if sms is not None:
        try:
            numbers = phones(sms, get_settings().sms_default_region)
        except ValueError as error:
            err.print(str(error), markup=False)
            raise typer.Exit(2) from None
        if len(numbers) != 1:
            err.print("Give one phone number at a time.")
            raise typer.Exit(2)
        return _Listed(channel="sms", address=numbers[0][0])
    if tenant is None:
        return _Listed(channel=channel, address=address)
    database = open_database()
    try:
        with database.engine.connect() as connection:
            found = find_respondent_id(connection, tenant)
    finally:
        database.dispose()
    if found is None:
        err.print(f"No tenant has the reference {tenant!r}; check it.", markup=False)
        raise typer.Exit(1)
    return _Listed(respondent_id=int(found))


@dnc_app.command("add")
def dnc_add(
    reason: Annotated[str, typer.Option(help="Why, for the record (no personal details).")],
    tenant: TenantOption = None,
    sms: SmsOption = None,
    channel: ChannelOption = None,
    address: AddressOption = None,
    added_by: Annotated[str, typer.Option(help="Who asked, for the record.")] = "cli",
) -> None:
    """Never invite this tenant (or this one number or chat) to any survey."""
    listed = _listed(tenant, sms, channel, address)
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            added = contact_policy.add_do_not_contact(
                connection,
                reason=reason,
                now=utcnow(),
                added_by=added_by,
                respondent_id=listed.respondent_id,
                channel=listed.channel,
                address=listed.address,
            )
    finally:
        database.dispose()
    out.print("Added to the do-not-contact list." if added else "It was already on the list.")


@dnc_app.command("remove")
def dnc_remove(
    tenant: TenantOption = None,
    sms: SmsOption = None,
    channel: ChannelOption = None,
    address: AddressOption = None,
) -> None:
    """Take a tenant, number or chat off the do-not-contact list."""
    listed = _listed(tenant, sms, channel, address)
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            removed = contact_policy.remove_do_not_contact(
                connection,
                respondent_id=listed.respondent_id,
                channel=listed.channel,
                address=listed.address,
            )
    finally:
        database.dispose()
    if not removed:
        err.print("That is not on the do-not-contact list.")
        raise typer.Exit(1)
    out.print("Removed from the do-not-contact list.")


@dnc_app.command("list")
def dnc_list() -> None:
    """Everyone on the do-not-contact list, with the reason and when."""
    database = open_database()
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                select(DNC, RESPONDENTS.c.tenant_ref)
                .outerjoin(RESPONDENTS, RESPONDENTS.c.id == DNC.c.respondent_id)
                .order_by(DNC.c.added_at)
            ).all()
    finally:
        database.dispose()
    if not rows:
        out.print("The do-not-contact list is empty.")
        return
    grid = Table("who", "reason", "added", "by")
    for row in rows:
        who = f"tenant {row.tenant_ref}" if row.respondent_id else f"{row.channel} {row.address}"
        grid.add_row(who, row.reason, f"{row.added_at:%Y-%m-%d}", row.added_by)
    out.print(grid)
