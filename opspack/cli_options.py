"""Options every agent command shares: where the connections, the policy and the database are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

ConnectionsOption = Annotated[
    Path | None,
    typer.Option(
        "--connections",
        help="Connections YAML (default: $OPSPACK_CONNECTIONS, else the example file on the mocks).",
    ),
]
PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy YAML (default: $OPSPACK_POLICY, else the example).")
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL or SQLite file (default: $OPSPACK_DATABASE_URL, else .opspack/opspack.db). "
        "Kept between runs: a rerun resumes.",
    ),
]


def database_url(value: str | None) -> str | None:
    """A URL as given, a plain path as a SQLite URL (its folder created), None for the default."""
    if value is None or "://" in value:
        return value
    path = Path(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


@contextmanager
def one_line_errors(*extra: type[Exception]) -> Iterator[None]:
    """Configuration, connector and governance errors end the command in one line naming the host
    (exit 2); ``OPSPACK_DEBUG=1`` re-raises for the traceback."""
    from connectors.errors import ConnectorError
    from governance.errors import GovernanceError
    from governance.redaction import redact
    from opspack.wiring import describe_error

    caught: tuple[type[Exception], ...] = (ConnectorError, GovernanceError, *extra)
    try:
        yield
    except caught as exc:
        if os.environ.get("OPSPACK_DEBUG", "") not in ("", "0"):
            raise
        typer.echo(f"error: {redact(describe_error(exc))}", err=True)
        raise typer.Exit(2) from None
