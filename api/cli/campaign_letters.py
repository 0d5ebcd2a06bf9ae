"""`doorstep campaign letters KEY`: the letter and call list, the console's download.

The same builder as `/console/campaigns/{id}/letters` (`bot.campaigns.letter_list`): the
tenants who asked for a letter or a phone call, with the reason, as CSV; audited under the
operator's name like `doorstep export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.export import operator_name
from bot.access.users import Principal, Role
from bot.campaigns.letter_list import letter_list, letter_list_csv
from bot.campaigns.store import UnknownCampaign
from bot.service import build_service
from bot.storage.models import utcnow

err = Console(stderr=True, highlight=False, soft_wrap=True)


def letters(
    key: Annotated[str, typer.Argument(metavar="CAMPAIGN", help="The campaign's name or number.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the CSV here, not to the screen.")
    ] = None,
) -> None:
    """The tenants to write to or call instead of messaging, as CSV (audited)."""
    service = build_service()
    principal = Principal("cli", 0, operator_name(), Role.ADMIN, True)  # type: ignore[arg-type]
    try:
        with service.database.engine.begin() as connection:
            found = letter_list(connection, key, principal, utcnow())
    except UnknownCampaign as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    finally:
        service.database.dispose()
    body = letter_list_csv(found.rows)
    if output is None:
        typer.echo(body, nl=False)
        return
    output.write_text(body, encoding="utf-8")
    err.print(f"{len(found.rows)} tenant(s) written to {output}.", markup=False)
