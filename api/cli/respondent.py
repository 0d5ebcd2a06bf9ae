"""`doorstep respondent export|erase` and `doorstep retention`: tenants' data rights."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.scheduler import apply_retention
from bot.privacy import rights as privacy
from bot.service import build_service
from bot.storage.models import utcnow

app = typer.Typer(help="A tenant's data: subject access and erasure.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@app.command()
def export(
    tenant_ref: Annotated[str, typer.Argument(help="The tenant reference.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="JSON file.")] = None,
) -> None:
    """Write everything held about a tenant as JSON (a subject access request)."""
    service = build_service()
    try:
        with service.database.transaction() as session:
            document = privacy.subject_access_json(session.connection(), tenant_ref)
    except privacy.UnknownTenant as error:
        err.print(str(error))
        raise typer.Exit(1) from None
    if output is None:
        print(document)
    else:
        output.write_text(document, encoding="utf-8")
        out.print(f"Everything held about {tenant_ref} was written to {output}.")


@app.command()
def erase(
    tenant_ref: Annotated[str, typer.Argument(help="The tenant reference.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    requested_by: Annotated[str, typer.Option(help="Who asked, for the record.")] = "cli",
) -> None:
    """Remove a tenant's personal data and free text; keep anonymous coded answers."""
    if not yes:
        typer.confirm(f"Erase the personal data of {tenant_ref}? This cannot be undone", abort=True)
    service = build_service()
    try:
        with service.database.transaction() as session:
            result = privacy.erase(
                session.connection(), service.registry, tenant_ref, utcnow(), requested_by
            )
    except privacy.UnknownTenant as error:
        err.print(str(error))
        raise typer.Exit(1) from None
    out.print(
        f"Erased. {result.rows_deleted} record(s) removed; {result.answers_kept} coded "
        "answer(s) kept anonymously for statistics. The erasure itself is recorded."
    )
    if result.cases_kept:
        out.print(
            f"{result.cases_kept} open case(s) kept, anonymised, with the home they are about: "
            "the landlord must still act on them."
        )


def retention() -> None:
    """Purge message text, free-text answers and contact details past their retention."""
    result = apply_retention(build_service())
    out.print(
        f"Retention applied: {result.messages_cleared} message text(s) and "
        f"{result.answers_cleared} free-text answer(s) cleared, "
        f"{result.identities_removed} unused contact detail(s) removed."
    )
