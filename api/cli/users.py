"""`doorstep user ...`: console users (the first admin too); API keys are `doorstep apikey`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.apikey import RoleOption
from api.cli.apikey import create as create_key
from api.cli.tenants import open_database
from bot.access import users
from bot.access.signin import end_all_sessions
from bot.access.users import Role
from bot.storage.models import utcnow

app = typer.Typer(help="Console users and their roles (admin, officer, analyst).",
                  no_args_is_help=True)  # fmt: skip
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        users.check_password_rules(password)
    except ValueError as error:
        err.print(str(error), markup=False)
        raise typer.Exit(1) from None
    return password


def _fail(error: Exception) -> typer.Exit:
    err.print(str(error), markup=False)
    return typer.Exit(1)


def _role(text: str, *, people_only: bool) -> Role:
    try:
        return Role.parse(text, people_only=people_only)
    except ValueError as error:
        raise _fail(error) from None


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The user's email address (their sign-in).")],
    role: Annotated[str, typer.Option(help="admin, officer or analyst.")] = "officer",
    name: Annotated[
        str | None, typer.Option(help="Display name (default: from the email).")
    ] = None,
    identifiable: Annotated[
        bool, typer.Option("--identifiable", help="Officers only: may export identifiable data.")
    ] = False,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user (e.g. the first admin: `doorstep user create --role admin EMAIL`)."""
    chosen = _role(role, people_only=True)
    password = _password(password_stdin)
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            user = users.create_user(
                connection, email=email, password=password, role=chosen, now=utcnow(),
                display_name=name, can_export_identifiable=identifiable,
            )  # fmt: skip
    except ValueError as error:
        raise _fail(error) from None
    finally:
        database.dispose()
    out.print(f"Created {user.role} {user.email}.", markup=False)


@app.command("list")
def list_command() -> None:
    """Every user, with role, identifiable-export permission and status."""
    database = open_database()
    try:
        with database.engine.connect() as connection:
            found = users.list_users(connection)
    finally:
        database.dispose()
    table = Table("email", "name", "role", "identifiable exports", "status", "last sign-in")
    now = utcnow()
    for user in found:
        locked = user.locked_until is not None and user.locked_until > now
        status = "disabled" if user.disabled else "locked" if locked else "active"
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        table.add_row(user.email, user.display_name, user.role.value,
                      "yes" if user.can_export_identifiable else "no", status, last)  # fmt: skip
    out.print(table)


@app.command("disable")
def disable(email: Annotated[str, typer.Argument(help="The user's email address.")]) -> None:
    """Stop a user signing in; their open sessions end at once."""
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            user = users.set_disabled(connection, email=email, disabled=True, now=utcnow())
            end_all_sessions(connection, user.id)
    except (LookupError, ValueError) as error:
        raise _fail(error) from None
    finally:
        database.dispose()
    out.print(f"Disabled {user.email}.", markup=False)


@app.command("enable")
def enable(email: Annotated[str, typer.Argument(help="The user's email address.")]) -> None:
    """Let a disabled (or locked-out) user sign in again."""
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            user = users.set_disabled(connection, email=email, disabled=False, now=utcnow())
    except (LookupError, ValueError) as error:
        raise _fail(error) from None
    finally:
        database.dispose()
    out.print(f"Enabled {user.email}.", markup=False)


@app.command("grant-identifiable")
def grant_identifiable(
    email: Annotated[str, typer.Argument(help="The officer's email address.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the permission away.")] = False,
) -> None:
    """Let an officer download identifiable exports (names, contact details)."""
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            user = users.grant_identifiable(connection, email=email, granted=not revoke)
    except (LookupError, ValueError) as error:
        raise _fail(error) from None
    finally:
        database.dispose()
    verb = "may no longer" if revoke else "may now"
    out.print(f"{user.email} {verb} download identifiable exports.", markup=False)


@app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password (also lifts a lockout); the user's sessions end."""
    password = _password(password_stdin)
    database = open_database()
    try:
        with database.engine.connect() as connection, connection.begin():
            user = users.set_password(connection, email=email, password=password)
            end_all_sessions(connection, user.id)
    except (LookupError, ValueError) as error:
        raise _fail(error) from None
    finally:
        database.dispose()
    out.print(f"New password set for {user.email}.", markup=False)


@app.command("apikey", hidden=True)
def apikey(
    name: Annotated[str, typer.Argument(help="Which system uses it, e.g. reporting-server.")],
    role: RoleOption = "repairs",
) -> None:
    """The old name of `doorstep apikey create NAME --role ROLE`."""
    create_key(name, role)
