"""``opspack console``: serve the operations web console; ``add-user``, ``rotate-password``,
``list-users``: manage its users, who are also the approver records the CLI authenticates against.

The console needs a users file (``--users``, default ``$OPSPACK_CONSOLE_USERS`` or
``.opspack/console-users.yaml``) and a secret key for its cookies (``$OPSPACK_CONSOLE_SECRET``, at
least 32 bytes; without it a random key is made and every session ends when the process stops).
Approvals execute at once when the console can reach the target system: ``--erp NAME`` names an
ERP connection of the connections file (``--connections``, built by `opspack.wiring`) and its
performers factory is handed to the console's settings (``ConsoleSettings.performers``); otherwise
the decision is recorded and the running ``opspack run`` executes it (or, rejected, closes its
case) within seconds. See docs/CONSOLE.md and docs/OPERATIONS.md.

``add-user`` also pins the users file in the governance database as *the* approver records
(docs/IDENTITY.md): ``opspack approvals approve --as alice`` and ``opspack autonomy promote --by
dave`` check the secret the caller presents against the hash there, and nowhere else.
"""

from __future__ import annotations

import getpass
import json
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import Annotated

import typer

from governance.approver_auth import pin_approver_store
from governance.policy import load_policy
from governance.runtime import PerformersFactory
from governance.store import Store
from opspack.cli.options import (
    ConnectionsOption,
    DatabaseOption,
    DeprecatedDbOption,
    JsonOption,
    PolicyOption,
    database_url,
)
from opspack.console.approver_records import USERS_ENV
from opspack.console.errors import ConsoleConfigError
from opspack.console.settings import SECRET_KEY_ENV, AuthMode
from opspack.console.users import Role, load_users
from opspack.settings import policy_path

DEFAULT_USERS = Path(".opspack") / "console-users.yaml"

console_app = typer.Typer(help="The operations web console.")

UsersOption = Annotated[
    Path | None,
    typer.Option("--users", help=f"Users file (default ${USERS_ENV} or {DEFAULT_USERS})."),
]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin (one line).")
]


def users_path(given: Path | None) -> Path:
    return given or Path(os.environ.get(USERS_ENV, DEFAULT_USERS))


def _erp_performers(erp: str, connections: Path | None) -> PerformersFactory:
    """Performers on ERP connection `erp`, authenticated as the agent whose request is decided."""
    from agents.performers import ERPPerformer
    from opspack.wiring import Wiring

    wiring = Wiring.load(connections=connections)
    wiring.connection(erp)  # an unknown name fails now, not at the first approval
    return lambda policy, agent: {erp: ERPPerformer(wiring.connector(erp, agent=agent, kind="erp"))}


@console_app.callback(invoke_without_command=True)
def console(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    users: UsersOption = None,
    database: DatabaseOption = None,
    db: DeprecatedDbOption = None,
    policy: PolicyOption = None,
    auth: Annotated[
        str, typer.Option("--auth", help="local (login form) or header (an authenticating proxy).")
    ] = "local",
    auth_header: Annotated[
        str, typer.Option("--auth-header", help="Header naming the user in header mode.")
    ] = "X-Forwarded-User",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option("--trusted-proxy", help="Proxy address whose header is believed (repeatable)."),
    ] = None,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies", help="Drop the Secure flag (plain http beyond localhost; not advised)."
        ),
    ] = False,
    erp: Annotated[
        str | None,
        typer.Option(
            "--erp", help="ERP connection approvals execute against at once (default: the runtime does)."
        ),
    ] = None,
    connections: ConnectionsOption = None,
) -> None:
    """Serve the web console (approval inbox, timelines, dashboards, kill switches)."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from opspack.console.app import create_app
    from opspack.console.settings import ConsoleSettings

    if auth not in ("local", "header"):
        raise ConsoleConfigError(f"--auth must be local or header, not {auth!r}")
    mode: AuthMode = "header" if auth == "header" else "local"
    secret = os.environ.get(SECRET_KEY_ENV)
    if not secret:
        secret = secrets.token_urlsafe(48)
        typer.echo(f"note: {SECRET_KEY_ENV} is not set; sessions end when this process stops", err=True)
    settings = ConsoleSettings(
        users_file=users_path(users),
        secret_key=secret,
        database_url=database_url(database or db),
        policy_file=policy or policy_path(),
        auth_mode=mode,
        auth_header=auth_header,
        trusted_proxies=tuple(trusted_proxy or ("127.0.0.1", "::1")),
        secure_cookies=not insecure_cookies,
        performers=_erp_performers(erp, connections) if erp else None,
    )
    app = create_app(settings)
    typer.echo(f"opspack console at http://{host}:{port}/ ({mode} login); Ctrl-C stops")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


def _echo_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2))


def _pin(target: Path, db: str | None) -> Path:
    """Register `target` as the approver records of the database `db` (an admin's act)."""
    return pin_approver_store(Store(db), target, registered_by=getpass.getuser())


@console_app.command("add-user")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name (or the name the proxy sends).")],
    role: Annotated[str, typer.Option("--role", help="viewer, approver or admin.")],
    approver: Annotated[
        str | None, typer.Option("--approver", help="The user's id under the policy's approvers.")
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    users: UsersOption = None,
    policy: PolicyOption = None,
    database: DatabaseOption = None,
    db: DeprecatedDbOption = None,
    password_stdin: PasswordStdinOption = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No local login (the user comes through the proxy).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add or replace a user (0600 file, password stored only as a salted scrypt hash) and pin the
    users file in the database as the approver records the CLI authenticates against."""
    from opspack.console.passwords import hash_password
    from opspack.console.users import write_user

    try:
        chosen = Role(role)
    except ValueError:
        raise ConsoleConfigError(
            f"--role must be one of {', '.join(r.value for r in Role)}, not {role!r}"
        ) from None
    declared = load_policy(policy or policy_path()).approvers
    if approver is not None and approver not in declared:
        raise ConsoleConfigError(
            f"--approver {approver!r} is not an approver in the policy (declared: {', '.join(sorted(declared))})"
        )
    target = users_path(users)
    password_hash = None if no_password else hash_password(_read_password(password_stdin))
    write_user(
        target, username, role=chosen, approver=approver, password_hash=password_hash, name=display_name
    )
    pinned = _pin(target, database_url(database or db))
    if as_json:
        _echo_json(
            {
                "user": username,
                "role": chosen.value,
                "approver": approver,
                "password": not no_password,
                "users_file": str(target),
                "approver_records": str(pinned),
            }
        )
        return
    decides = f", decides as {approver}" if approver else ""
    typer.echo(f"user {username} ({chosen.value}{decides}) written to {target}; approver records: {pinned}")


@console_app.command("rotate-password")
def rotate_password(
    username: Annotated[str, typer.Argument(help="An existing user.")],
    users: UsersOption = None,
    database: DatabaseOption = None,
    db: DeprecatedDbOption = None,
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    """Give a user a new password (their console and CLI approver secret); their sessions end."""
    from opspack.console.passwords import hash_password
    from opspack.console.users import set_password

    target = users_path(users)
    if username not in load_users(target).users:
        raise ConsoleConfigError(
            f"{target}: no user {username!r} to rotate (add them with `console add-user`)"
        )
    set_password(target, username, hash_password(_read_password(password_stdin)))
    pinned = _pin(target, database_url(database or db))
    if as_json:
        _echo_json(
            {"user": username, "rotated": True, "users_file": str(target), "approver_records": str(pinned)}
        )
        return
    typer.echo(f"password of {username} rotated in {target}; approver records: {pinned}")


@console_app.command("list-users")
def list_users(users: UsersOption = None, as_json: JsonOption = False) -> None:
    """Users, roles and approver ids (never a hash), and the file's mode."""
    target = users_path(users)
    found = load_users(target).users
    mode = stat.S_IMODE(target.stat().st_mode)
    if as_json:
        _echo_json(
            {
                "users_file": str(target),
                "mode": f"{mode:04o}",
                "users": [
                    {
                        "user": name,
                        "role": entry.role.value,
                        "approver": entry.approver,
                        "login": "password" if entry.password_hash else "proxy only",
                    }
                    for name, entry in sorted(found.items())
                ],
            }
        )
        return
    typer.echo(f"{target} (mode {mode:04o})")
    for name, entry in sorted(found.items()):
        decides = f" decides as {entry.approver}" if entry.approver else ""
        login = "password" if entry.password_hash else "proxy only"
        typer.echo(f"  {name}: {entry.role.value}{decides}; {login}")
