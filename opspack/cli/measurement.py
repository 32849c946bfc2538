"""``opspack metrics``, ``opspack autonomy``, ``opspack readiness``, ``opspack roi``, ``opspack report``.

Everything reads the default store (``OPSPACK_DATABASE_URL`` or ``.opspack/opspack.db``), the
policy (``--policy``, default ``$OPSPACK_POLICY`` or the example) and the measurement config
(``--config``, default ``$OPSPACK_AUTONOMY`` or ``fixtures/autonomy.yaml``). ``--as-of`` pins
"now" so a review can be reproduced.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from connectors.errors import ConnectorError
from governance.autonomy import (
    AUTOMATIC_ACTOR,
    MeasurementConfig,
    apply_alert_actions,
    demote,
    demote_regressions,
    ladder,
    load_measurement_config,
    promote,
    tiers_as_of,
)
from governance.baselines import AlertDispatcher, evaluate_baselines
from governance.errors import GovernanceError
from governance.ledger import Ledger
from governance.metrics import MeasurementError, metrics_report, prometheus_registry, read_transactions
from governance.policy import load_policy
from governance.readiness import assess, history_from_csv, history_from_views, load_workflow
from governance.report import format_duration, gather, write_report
from governance.roi import BusinessCase, case_html, plan_case
from governance.shadow import ProposedOutcome, record_human_outcome
from governance.store import Store
from opspack.console.approver_records import authenticate_cli_approver
from opspack.settings import FIXTURES_DIR, policy_path

metrics_app = typer.Typer(help="Metrics derived from the ledger.", invoke_without_command=True)
autonomy_app = typer.Typer(help="The autonomy ladder: evidence, promotion, demotion.", no_args_is_help=True)
console = Console(width=max(Console().width, 150))

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Measurement config (default fixtures/autonomy.yaml).")
]
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="Policy YAML (default $OPSPACK_POLICY).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this ISO time (default now).")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="ISO date/time, or a span back from now: 7d, 24h.")
]
UntilOption = Annotated[str | None, typer.Option("--until", help="ISO date/time (exclusive).")]


@contextmanager
def _one_line_errors() -> Iterator[None]:
    try:
        yield
    except (GovernanceError, ConnectorError, OSError, ValueError) as exc:
        typer.echo(f"opspack: error: {exc}", err=True)
        raise typer.Exit(1) from None


def _config(path: Path | None) -> MeasurementConfig:
    default = Path(os.environ.get("OPSPACK_AUTONOMY", FIXTURES_DIR / "autonomy.yaml"))
    return load_measurement_config(path or default)


def _time(text: str | None, now: datetime) -> datetime | None:
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


def _now(as_of: str | None) -> datetime:
    return _time(as_of, datetime.now(UTC)) or datetime.now(UTC)


def _emit(data: Any) -> None:
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


@metrics_app.callback()
def metrics(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option("--agent", help="Only this agent.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    as_of: AsOfOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Throughput, quality and business impact per agent, action class and exception type."""
    if ctx.invoked_subcommand is not None:
        return
    with _one_line_errors():
        now = _now(as_of)
        data = compute_metrics(
            Store(), _config(config), agent=agent, since=_time(since, now), until=_time(until, now), now=now
        )
    if as_json:
        _emit(data)
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
    config: ConfigOption = None,
) -> None:
    """Serve the metrics for Prometheus at http://HOST:PORT/metrics (computed from the ledger per scrape)."""
    from wsgiref.simple_server import make_server

    from prometheus_client import make_wsgi_app

    with _one_line_errors():
        settings, store = _config(config), Store()
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
    config: ConfigOption = None,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Test every exception rate against its rolling baseline; with --apply, alert and act."""
    with _one_line_errors():
        settings, now, ledger = _config(config), _now(as_of), Ledger(Store())
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
        _emit(result)
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


def _rungs(
    policy: Path | None, config: Path | None, as_of: str | None, agent: str | None
) -> list[dict[str, Any]]:
    settings, now = _config(config), _now(as_of)
    ledger = Ledger(Store())
    views = read_transactions(ledger, settings.metrics, as_of=now)
    tiers = tiers_as_of(ledger, now) if as_of is not None else None  # the tiers as they were then
    rungs = ladder(policy or policy_path(), views, settings, now, tiers=tiers)
    return [r.as_dict() for r in rungs if agent is None or r.agent == agent]


def _print_rungs(rungs: list[dict[str, Any]]) -> None:
    if not rungs:
        console.print("no action class to show")
        return
    table = Table(
        "agent", "action class", "tier", "next", "recommendation", "volume", "agreement ≥", "errors", "why"
    )
    for r in rungs:
        e = r["evidence"]
        table.add_row(
            r["agent"],
            r["operation"],
            r["tier"],
            r["next_tier"] or "—",
            r["recommendation"],
            str(e["volume"]),
            f"{e['agreement_lower']:.3f}",
            f"{e['errors']}/{e['executed']}",
            "; ".join(r["regressions"] or r["blockers"]),
        )
    console.print(table)


@autonomy_app.command("status")
def autonomy_status(
    agent: Annotated[str | None, typer.Option("--agent")] = None,
    policy: PolicyOption = None,
    config: ConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every action class: its tier, its evidence, and what the next tier still needs."""
    with _one_line_errors():
        rungs = _rungs(policy, config, as_of, agent)
    _emit(rungs) if as_json else _print_rungs(rungs)


@autonomy_app.command("recommend")
def autonomy_recommend(
    agent: Annotated[str | None, typer.Option("--agent")] = None,
    policy: PolicyOption = None,
    config: ConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Only the action classes whose evidence says promote or demote."""
    with _one_line_errors():
        rungs = [r for r in _rungs(policy, config, as_of, agent) if r["recommendation"] != "hold"]
    _emit(rungs) if as_json else _print_rungs(rungs)


@autonomy_app.command("promote")
def autonomy_promote(
    agent: Annotated[str, typer.Argument()],
    operation: Annotated[str, typer.Argument(help="Action class, e.g. erp.update_po_status.")],
    signer: Annotated[
        str,
        typer.Option(
            "--by",
            help="Your approver id (listed for the agent in the policy); your secret is checked "
            "($OPSPACK_APPROVER_TOKEN or a prompt).",
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the ledger.")],
    policy: PolicyOption = None,
    config: ConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Promote one tier if the evidence clears the targets; writes a new policy version."""
    with _one_line_errors():
        store = Store()
        authenticated = authenticate_cli_approver(signer, store)
        settings, now, ledger = _config(config), _now(as_of), Ledger(store)
        views = read_transactions(ledger, settings.metrics, as_of=now)
        change = promote(
            policy or policy_path(),
            ledger,
            views,
            settings,
            agent=agent,
            operation=operation,
            signer=authenticated,
            reason=reason,
            now=now,
        )
    _emit(change.as_dict()) if as_json else console.print(
        f"[green]promoted[/] {agent} {operation}: {change.old_tier} → {change.new_tier}; policy "
        f"{change.old_policy_version[:16]} → {change.new_policy_version[:16]} (previous kept at {change.archived_previous})"
    )


@autonomy_app.command("demote")
def autonomy_demote(
    agent: Annotated[str | None, typer.Argument()] = None,
    operation: Annotated[str | None, typer.Argument()] = None,
    signer: Annotated[
        str | None,
        typer.Option(
            "--by", help="Your approver id (manual demotion; your secret is checked as for promote)."
        ),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Demote every action class whose evidence regressed.")
    ] = False,
    policy: PolicyOption = None,
    config: ConfigOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Demote one tier: by hand (AGENT OPERATION --by --reason) or automatically on regression (--auto)."""
    with _one_line_errors():
        store = Store()
        ledger, path = Ledger(store), policy or policy_path()
        if auto:
            settings = _config(config)
            changes = demote_regressions(
                path,
                ledger,
                read_transactions(ledger, settings.metrics, as_of=_now(as_of)),
                settings,
                _now(as_of),
            )
        elif agent and operation and signer and reason:
            authenticated = authenticate_cli_approver(signer, store)
            single = demote(
                path,
                ledger,
                agent=agent,
                operation=operation,
                actor=authenticated.approver,
                reasons=[reason],
                signer=authenticated,
            )
            changes = [single] if single else []
        else:
            raise MeasurementError("give AGENT OPERATION --by NAME --reason TEXT, or --auto")
    if as_json:
        _emit([c.as_dict() for c in changes])
        return
    for c in changes:
        console.print(
            f"[yellow]demoted[/] {c.agent} {c.operation}: {c.old_tier} → {c.new_tier} "
            f"({'automatic' if auto else signer}; actor {AUTOMATIC_ACTOR if auto else signer})"
        )
    if not changes:
        console.print("nothing to demote")


@autonomy_app.command("shadow-outcome")
def autonomy_shadow_outcome(
    transaction: Annotated[str, typer.Argument(help="The transaction whose shadow decision to compare.")],
    actor: Annotated[
        str,
        typer.Option(
            "--by",
            help="Your approver id: who produced the human outcome; your secret is checked "
            "($OPSPACK_APPROVER_TOKEN or a prompt), as for an approval.",
        ),
    ],
    operation: Annotated[
        str | None, typer.Option("--operation", help="What the human did (omit: nothing).")
    ] = None,
    target: Annotated[str, typer.Option("--target")] = "",
    amount: Annotated[str | None, typer.Option("--amount")] = None,
    label: Annotated[str, typer.Option("--label", help="e.g. resolved, posted, held.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record the human's actual outcome for a shadowed transaction and whether the agent agreed."""
    with _one_line_errors():
        human = ProposedOutcome(operation, target, Decimal(amount) if amount is not None else None)
        store = Store()
        actor = authenticate_cli_approver(actor, store).approver  # typed in: only by a known person
        result = record_human_outcome(Ledger(store), transaction, human, actor=actor, label=label)
    if as_json:
        _emit(result.__dict__)
        return
    verdict = "[green]agreed[/]" if result.agreed else "[red]disagreed[/]: " + "; ".join(result.differences)
    console.print(f"{transaction}: agent and {actor} {verdict}")


def readiness(
    workflow: Annotated[Path, typer.Argument(help="Workflow YAML (see fixtures/workflows/).")],
    history: Annotated[
        str | None, typer.Option("--history", help="Past cases: a CSV file, a ledger database file or URL.")
    ] = None,
    config: ConfigOption = None,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score a workflow's readiness for a governed agent, criterion by criterion, with the gaps.

    Governance and escalation routes are checked against the policy (``--policy``, default the
    running policy file).
    """
    with _one_line_errors():
        flow = load_workflow(workflow)
        past = None
        if history is not None and history.endswith(".csv"):
            past = history_from_csv(Path(history))
        elif history is not None:
            url = history if "://" in history else f"sqlite:///{history}"
            if "://" not in history and not Path(history).exists():
                raise MeasurementError(f"{history}: history ledger not found")
            views = read_transactions(Ledger(Store(url)), _config(config).metrics, agent=flow.agent)
            past = history_from_views(views, history)
        result = assess(flow, past, load_policy(policy or policy_path()))
    if as_json:
        _emit(result.as_dict())
        return
    verdict = "[green]ready[/]" if result.ready else "[red]not ready[/]"
    console.print(f"{result.workflow} ({result.agent}): overall {result.overall}/100 — {verdict}")
    table = Table("criterion", "score", "detail", "gaps to close")
    for c in result.criteria:
        table.add_row(c.name, str(c.score), c.detail, "\n".join(c.gaps) or "—")
    console.print(table)


def roi(
    workflow: Annotated[
        Path | None, typer.Option("--workflow", help="Workflow YAML: volume and handle time.")
    ] = None,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Without --workflow: the agent to price from the ledger.")
    ] = None,
    measured: Annotated[
        bool, typer.Option("--measured", help="Autonomous share and LLM cost from ledger evidence.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the HTML business case (with chart) here.")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Monthly savings, payback and 1-/3-year ROI, with every assumption printed."""
    with _one_line_errors():
        case = _business_case(workflow, agent, measured, _config(config))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(case_html(case, "opspack business case"), encoding="utf-8")
    if as_json:
        _emit(case.as_dict())
        return
    for a in case.assumptions:
        console.print(f"  assumption: {a.name} = {a.value} [dim]({a.source})[/]")
    for row in case.classes:
        mix = ", ".join(f"{k} {v:.0%}" for k, v in row["mix"].items() if v)
        console.print(
            f"  class {row['action_class']}: {row['volume_per_month']:g}/month ({mix}); human cost "
            f"{row['cost_today_per_month']} today, {row['human_cost_with_agent_per_month']} with the agent"
        )
    payback = f"{case.payback_months} months" if case.payback_months is not None else "never"
    console.print(
        f"net savings {case.net_savings_per_month} {case.currency}/month; payback {payback}; "
        f"ROI 1y {float(case.roi_1y):.0%}, 3y {float(case.roi_3y):.0%}"
    )


def _business_case(
    workflow: Path | None, agent: str | None, measured: bool, settings: MeasurementConfig
) -> BusinessCase:
    flow = load_workflow(workflow) if workflow is not None else None
    wanted = flow.agent if flow is not None else agent
    needs_ledger = measured or flow is None
    views = read_transactions(Ledger(Store()), settings.metrics, agent=wanted) if needs_ledger else []
    return plan_case(
        settings.costs,
        settings.roi,
        workflow=flow,
        agent=agent,
        views=views,
        measured=measured,
        confidence=settings.promotion.confidence,
        now=datetime.now(UTC),
    )


def report(
    out: Annotated[Path, typer.Option("--out", help="Directory for report.html and metrics.json.")] = Path(
        "opspack-report"
    ),
    since: SinceOption = None,
    until: UntilOption = None,
    as_of: AsOfOption = None,
    policy: PolicyOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the operations review report: one HTML file with inline SVG charts."""
    with _one_line_errors():
        now = _now(as_of)
        data = gather(
            Ledger(Store()),
            policy or policy_path(),
            _config(config),
            now=now,
            since=_time(since, now),
            until=_time(until, now),
        )
        target = write_report(data, out)
    if as_json:
        overall = data.metrics["overall"]
        _emit(
            {
                "report": str(target),
                "metrics": str(target.parent / "metrics.json"),
                "generated_at": data.generated_at.isoformat(),
                "policy_version": data.policy_version,
                "transactions": overall["throughput"]["transactions"],
                "alerts": sum(1 for check in data.checks if check.alert),
            }
        )
        return
    console.print(f"report written to {target}")
