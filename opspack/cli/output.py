"""Data on stdout: JSON with secrets redacted (tables are printed by each command with rich)."""

from __future__ import annotations

import json
from typing import Any

import typer

from governance.redaction import redact_data


def print_json(data: Any) -> None:
    """`data` as indented JSON with sorted keys, secrets redacted; dates and decimals as strings."""
    typer.echo(json.dumps(redact_data(data), indent=2, sort_keys=True, default=str))
