"""Options and conventions every command shares: where the connections, the policy and the database
are; --json, --log-level, progress bars, the one error line and the exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

T = TypeVar("T")

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
    (exit 1); ``OPSPACK_DEBUG=1`` re-raises for the traceback."""
    from connectors.errors import ConnectorError
    from governance.errors import GovernanceError
    from opspack.wiring import describe_error

    caught: tuple[type[Exception], ...] = (ConnectorError, GovernanceError, *extra)
    try:
        yield
    except caught as exc:
        if os.environ.get("OPSPACK_DEBUG", "") not in ("", "0"):
            raise
        typer.echo(error_line(describe_error(exc)), err=True)
        raise typer.Exit(EXIT_FAILED) from None


# --- conventions every command follows ------------------------------------------------------
#
# Exit codes: 0 done; 1 an error the command reports in one line ("opspack: error: ..." on stderr)
# or at least one item failed (the results are still printed); 2 a usage error (a bad option or
# argument, reported by the command line parser). Data goes to stdout (a table, or JSON with
# --json); progress bars, warnings and logs go to stderr.

EXIT_FAILED = 1
EXIT_USAGE = 2

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (no table, no progress).")]
LogLevelOption = Annotated[
    str,
    typer.Option(
        "--log-level",
        envvar="OPSPACK_LOG_LEVEL",
        help="JSON log lines on stderr at this level: debug, info, warning, error.",
    ),
]


def error_line(message: str) -> str:
    """The one error style: ``opspack: error: MESSAGE`` (secrets redacted, one line)."""
    from governance.redaction import redact

    return f"opspack: error: {redact(' '.join(message.split()))}"


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """End the command with the error line on stderr and `code`."""
    typer.echo(error_line(message), err=True)
    raise typer.Exit(code)


def exit_if_failed(failed: int, what: str = "item") -> None:
    """Non-zero exit (after the results were printed) when any item failed."""
    if failed:
        typer.echo(error_line(f"{failed} {what}(s) failed"), err=True)
        raise typer.Exit(EXIT_FAILED)


def start_observability(log_level: str, tracing: Mapping[str, Any] | None = None) -> None:
    """JSON log lines on stderr at `log_level`, and tracing as ``OPSPACK_TRACING`` (over the
    deployment file's `tracing` settings) says -- for the long-running commands (`run`, workers,
    schedulers)."""
    from observability.tracing import TracingConfig, configure_tracing
    from opspack.runtime.logs import configure_logging, parse_level

    try:
        level = parse_level(log_level)
        config = TracingConfig.from_env(default=TracingConfig(**tracing) if tracing else None)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--log-level / OPSPACK_TRACING") from None
    configure_logging(level)
    configure_tracing(config)


class Tracked(list[T]):
    """A list whose iteration advances a progress bar (for loops inside library code we pass it to)."""

    def __init__(self, items: Iterable[T], advance: Callable[[], None]) -> None:
        super().__init__(items)
        self._advance = advance

    def __iter__(self) -> Iterator[T]:
        for item in super().__iter__():
            yield item
            self._advance()


@contextmanager
def progress(description: str, total: int | None, *, quiet: bool = False) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr, yielding the function that advances it by one.

    Off (a no-op advance) with `quiet` (``--json``) or when stderr is not a terminal, so pipes,
    CI logs and JSON output never carry control characters.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)
