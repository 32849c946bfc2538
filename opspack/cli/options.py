"""Every option more than one command takes, declared once: where the connections, the policy and
the database are, the deployment and measurement files, --json, --debug, --log-level and the time
window options; and how the values are read (`database_url`, `start_observability`).

One spelling per option (``--database``; ``--db`` is only a hidden, deprecated alias on the console
commands). The error style and exit codes are `opspack.cli.errors`; progress bars `opspack.cli.progress`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

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
DeprecatedDbOption = Annotated[
    str | None, typer.Option("--db", hidden=True, help="Deprecated spelling of --database.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (no table, no progress).")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")]
LogLevelOption = Annotated[
    str,
    typer.Option(
        "--log-level",
        envvar="OPSPACK_LOG_LEVEL",
        help="JSON log lines on stderr at this level: debug, info, warning, error.",
    ),
]
DeploymentOption = Annotated[Path, typer.Option("--config", help="Deployment file (opspack.yaml).")]
HealthPortOption = Annotated[
    int | None, typer.Option("--health-port", help="Serve /healthz, /readyz, /metrics here (0: any free port).")
]  # fmt: skip
MeasurementConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Measurement config (default fixtures/autonomy.yaml).")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this ISO time (default now).")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="ISO date/time, or a span back from now: 7d, 24h.")
]
UntilOption = Annotated[str | None, typer.Option("--until", help="ISO date/time (exclusive).")]


def database_url(value: str | None) -> str | None:
    """A URL as given, a plain path as a SQLite URL (its folder created), None for the default."""
    if value is None or "://" in value:
        return value
    path = Path(value)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


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
