"""The command line's one error style and its exit codes.

Exit codes: 0 done; 1 an error the command reports in one line (``opspack: error: ...`` on stderr)
or at least one item failed (the results are still printed); 2 a usage error (a bad option or
argument, reported by the command line parser or by `fail` with `EXIT_USAGE`). Every message passes
through the secret redactor; ``--debug`` (or ``OPSPACK_DEBUG=1``) re-raises for the traceback.

Commands end expected failures through `one_line_errors` (around their work), `fail` (a message of
their own) or `exit_if_failed` (after printing results); `opspack.cli.root.main` catches what is
left of `EXPECTED_ERRORS` with the same line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from connectors.errors import ConnectorError
from governance.errors import GovernanceError
from governance.redaction import install_log_redaction, redact
from opspack.wiring import describe_error

EXIT_FAILED = 1
EXIT_USAGE = 2

EXPECTED_ERRORS: tuple[type[Exception], ...] = (GovernanceError, ConnectorError, OSError, ValueError)
"""What a command may fail with and still end in one line: the entry point catches these."""


def debugging() -> bool:
    """``opspack --debug`` (the root callback sets it) or ``OPSPACK_DEBUG=1``: show tracebacks."""
    return os.environ.get("OPSPACK_DEBUG", "") not in ("", "0")


def error_line(message: str) -> str:
    """The one error style: ``opspack: error: MESSAGE`` (secrets redacted, one line)."""
    return f"opspack: error: {redact(' '.join(message.split()))}"


def describe(exc: BaseException, *, with_type: bool = False) -> str:
    """The exception as one line: its message (with the connection's host when known), the first
    line of a longer one followed by a count and a few more; ``TypeName: `` first with `with_type`."""
    text = describe_error(exc)
    if with_type:
        text = f"{type(exc).__name__}: {text}"
    lines = text.splitlines()
    if len(lines) > 1:
        more = "; ".join(line.strip() for line in lines[1:4])
        return f"{lines[0]} (+{len(lines) - 1} more: {more})"
    return text


@contextmanager
def one_line_errors(*extra: type[Exception], with_type: bool = False, debug: bool = False) -> Iterator[None]:
    """Connector and governance errors (and `extra`) end the command in one line and exit 1;
    `debug` (a command's own ``--debug``) or `debugging()` re-raises for the traceback."""
    install_log_redaction()  # a traceback shown with --debug is not redacted; log records are
    caught: tuple[type[Exception], ...] = (ConnectorError, GovernanceError, *extra)
    try:
        yield
    except caught as exc:
        if debug or debugging():
            raise
        typer.echo(error_line(describe(exc, with_type=with_type)), err=True)
        raise typer.Exit(EXIT_FAILED) from None


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """End the command with the error line on stderr and `code`."""
    typer.echo(error_line(message), err=True)
    raise typer.Exit(code)


def exit_if_failed(failed: int, what: str = "item") -> None:
    """Non-zero exit (after the results were printed) when any item failed."""
    if failed:
        typer.echo(error_line(f"{failed} {what}(s) failed"), err=True)
        raise typer.Exit(EXIT_FAILED)
