"""What the measurement commands (`metrics`, `autonomy`, `readiness`, `roi`, `report`) share.

Everything reads the default store (``OPSPACK_DATABASE_URL`` or ``.opspack/opspack.db``), the
policy (``--policy``, default ``$OPSPACK_POLICY`` or the example) and the measurement config
(``--config``, default ``$OPSPACK_AUTONOMY`` or ``fixtures/autonomy.yaml``). ``--as-of`` pins
"now" so a review can be reproduced.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from governance.autonomy import MeasurementConfig, load_measurement_config
from governance.ledger import Ledger
from governance.metrics import MeasurementError, metrics_report, read_transactions
from governance.store import Store
from opspack.settings import FIXTURES_DIR

console = Console(width=max(Console().width, 150))


def measurement_config(path: Path | None) -> MeasurementConfig:
    default = Path(os.environ.get("OPSPACK_AUTONOMY", FIXTURES_DIR / "autonomy.yaml"))
    return load_measurement_config(path or default)


def parse_time(text: str | None, now: datetime) -> datetime | None:
    if text is None:
        return None
    span = re.fullmatch(r"(\d+)([dhw])", text.strip())
    if span:
        unit = {"d": "days", "h": "hours", "w": "weeks"}[span.group(2)]
        return now - timedelta(**{unit: int(span.group(1))})
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise MeasurementError(f"{text!r} is neither an ISO date/time nor a span like 7d or 24h") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def now_or(as_of: str | None) -> datetime:
    return parse_time(as_of, datetime.now(UTC)) or datetime.now(UTC)


def print_data(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def compute_metrics(
    store: Store,
    config: MeasurementConfig,
    *,
    agent: str | None,
    since: datetime | None,
    until: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    views = read_transactions(Ledger(store), config.metrics, agent=agent, since=since, until=until, as_of=now)
    return metrics_report(views, config.metrics, now=now, since=since, until=until)
