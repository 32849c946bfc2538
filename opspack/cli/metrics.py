"""``opspack metrics``: metrics derived from the ledger, the Prometheus endpoint (`serve`) and the
baseline alerts (`alerts`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from governance.autonomy import (
    apply_alert_actions,
)
from governance.baselines import AlertDispatcher, evaluate_baselines
from governance.ledger import Ledger
from governance.metrics import prometheus_registry, read_transactions
from governance.report import format_duration
from governance.store import Store
from opspack.cli.errors import one_line_errors
from opspack.cli.measurement import (
    compute_metrics,
    console,
    measurement_config,
    now_or,
    parse_time,
    print_data,
)
from opspack.cli.options import (
    AsOfOption,
    JsonOption,
    MeasurementConfigOption,
    PolicyOption,
    SinceOption,
    UntilOption,
)
from opspack.settings import policy_path

metrics_app = typer.Typer(help="Metrics derived from the ledger.", invoke_without_command=True)


@metrics_app.callback()
def metrics(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_of: AsOfOption = None,
    config: MeasurementConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Throughput, quality and business impact per agent, action class and exception type."""
    if ctx.invoked_subcommand is not None:
        return
    with one_line_errors(OSError, ValueError):
        now = now_or(as_of)
        data = compute_metrics(
            Store(),
            measurement_config(config),
            agent=agent,
            since=parse_time(since, now),
            until=parse_time(until, now),
            now=now,
        )
    if as_json:
        print_data(data)
        return
    table = Table(
        "agent",
        "transactions",
        "autonomous",
        "held",
        "escalated",
        "denied",
        "shadowed",
        "error rate",
        "escalation rate",
        "cost/txn",
        "cycle p50",
        "SLA",
    )
    for name, m in data["agents"].items():
        t, q, i = m["throughput"], m["quality"], m["impact"]
        table.add_row(
            name,
            *(str(t[k]) for k in ("transactions", "autonomous", "held", "escalated", "denied", "shadowed")),
            _pct(q["error_rate"]),
            _pct(q["escalation_rate"]),
            str(i["cost_per_transaction"] or "—"),
            format_duration(i["cycle_time_p50_seconds"]),
            _pct(i["sla_compliance"]),
        )
    console.print(table)
    for key, item in data["exceptions"].items():
        console.print(f"  {key}: {item['count']} ({_pct(item['rate'])})")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@metrics_app.command("serve")
def metrics_serve(
    port: Annotated[int, typer.Option(help="Port for the Prometheus /metrics endpoint.")] = 9464,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    config: MeasurementConfigOption = None,
) -> None:
    """Serve the metrics for Prometheus at http://HOST:PORT/metrics (computed from the ledger per scrape)."""
    from wsgiref.simple_server import make_server

    from prometheus_client import make_wsgi_app

    with one_line_errors(OSError, ValueError):
        settings, store = measurement_config(config), Store()
        registry = prometheus_registry(
            lambda: compute_metrics(
                store, settings, agent=None, since=None, until=None, now=datetime.now(UTC)
            )
        )
    console.print(f"serving Prometheus metrics on http://{host}:{port}/metrics")
    make_server(host, port, make_wsgi_app(registry)).serve_forever()


@metrics_app.command("alerts")
def metrics_alerts(
    webhook: Annotated[str | None, typer.Option(help="Webhook URL (default: alerts.webhook_url).")] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Record alerts and apply the configured policy actions.")
    ] = False,
    as_of: AsOfOption = None,
    config: MeasurementConfigOption = None,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Test every exception rate against its rolling baseline; with --apply, alert and act."""
    with one_line_errors(OSError, ValueError):
        settings, now, ledger = measurement_config(config), now_or(as_of), Ledger(Store())
        checks = evaluate_baselines(
            read_transactions(ledger, settings.metrics, as_of=now), settings.alerts, now
        )
        changes = []
        if apply:
            dispatcher = AlertDispatcher(ledger, webhook or settings.alerts.webhook_url)
            episode = timedelta(hours=settings.alerts.current_window_hours)
            sent = {alert["key"] for alert in dispatcher.dispatch(checks, now, episode=episode)}
            new = [check for check in checks if check.key in sent]  # alerts recorded before act no more
            changes = apply_alert_actions(policy or policy_path(), ledger, new, settings)
    result = {"checks": [c.as_dict() for c in checks], "policy_changes": [c.as_dict() for c in changes]}
    if as_json:
        print_data(result)
        return
    if not checks:
        console.print("no exception types in the current or baseline window")
    for check in checks:
        mark = "[red]ALERT[/]" if check.alert else "ok"
        console.print(
            f"{mark} {check.agent}/{check.exception} {check.segment or ''} {check.current_count}/{check.current_volume} "
            f"vs baseline {check.baseline_rate:.2%} p={check.p_value if check.p_value is not None else 'n/a'} "
            f"q={check.q_value if check.q_value is not None else 'n/a'}"
        )
    for change in changes:
        console.print(
            f"policy changed: {change.agent} {change.operation or 'kill switch'} → {change.new_policy_version[:16]}"
        )
