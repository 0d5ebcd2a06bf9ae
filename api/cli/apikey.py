"""`doorstep apikey create|list|revoke`: the one way to make and manage API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.tenants import open_database
from bot.access import apikeys
from bot.access.users import Role
from bot.storage.models import utcnow

app = typer.Typer(help="API keys for other systems, with a role.", no_args_is_help=True)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

RoleOption = Annotated[str, typer.Option(help="repairs (default), analyst, officer or admin.")]


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who uses it, e.g. repairs-system.")],
    role: RoleOption = "repairs",
) -> None:
    """Create a key with a role and print it once: only a hash of it is kept."""
    try:
        chosen = Role.parse(role, people_only=False)
    except ValueError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            created = apikeys.create_key(connection, name, utcnow(), role=chosen.value)
    except ValueError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    print(created.key)
    err.print(
        f"Key {created.info.prefix!r} ({chosen.value}) for {created.info.name!r} created. "
        "Copy it now: it cannot be shown again. Send it as 'Authorization: Bearer <key>'.",
        markup=False,
    )


@app.command("list")
def list_keys() -> None:
    """Every key with when it was last used; secrets are never shown."""
    database = open_database()
    try:
        with database.engine.connect() as connection:
            keys = apikeys.list_keys(connection)
    finally:
        database.dispose()
    if not keys:
        out.print("There are no API keys yet; create one with: doorstep apikey create NAME")
        return
    grid = Table("name", "prefix", "created", "last used", "status")
    for key in keys:
        status = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        grid.add_row(key.name, key.prefix, f"{key.created_at:%Y-%m-%d}", used, status)
    out.print(grid)


@app.command("revoke")
def revoke(
    name_or_prefix: Annotated[str, typer.Argument(help="The key's name or prefix.")],
) -> None:
    """Stop a key working at once (it stays listed as revoked)."""
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            count = apikeys.revoke_key(connection, name_or_prefix, utcnow())
    finally:
        database.dispose()
    if not count:
        err.print(f"No active key has the name or prefix {name_or_prefix!r}.", markup=False)
        raise typer.Exit(1)
    out.print(f"Revoked {count} key(s).")
