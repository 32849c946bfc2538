"""``opspack readiness``, ``opspack roi`` and ``opspack report``: is a workflow ready for an agent,
what it is worth, and the operations review report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from governance.autonomy import (
    MeasurementConfig,
)
from governance.ledger import Ledger
from governance.metrics import MeasurementError, read_transactions
from governance.policy import load_policy
from governance.readiness import assess, history_from_csv, history_from_views, load_workflow
from governance.report import gather, write_report
from governance.roi import BusinessCase, case_html, plan_case
from governance.store import Store
from opspack.cli.errors import one_line_errors
from opspack.cli.measurement import (
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


def readiness(
    workflow: Annotated[Path, typer.Argument(help="Workflow YAML (see fixtures/workflows/).")],
    history: Annotated[
        str | None, typer.Option("--history", help="Past cases: a CSV file, a ledger database file or URL.")
    ] = None,
    config: MeasurementConfigOption = None,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score a workflow's readiness for a governed agent, criterion by criterion, with the gaps.

    Governance and escalation routes are checked against the policy (``--policy``, default the
    running policy file).
    """
    with one_line_errors(OSError, ValueError):
        flow = load_workflow(workflow)
        past = None
        if history is not None and history.endswith(".csv"):
            past = history_from_csv(Path(history))
        elif history is not None:
            url = history if "://" in history else f"sqlite:///{history}"
            if "://" not in history and not Path(history).exists():
                raise MeasurementError(f"{history}: history ledger not found")
            views = read_transactions(
                Ledger(Store(url)), measurement_config(config).metrics, agent=flow.agent
            )
            past = history_from_views(views, history)
        result = assess(flow, past, load_policy(policy or policy_path()))
    if as_json:
        print_data(result.as_dict())
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
    config: MeasurementConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Monthly savings, payback and 1-/3-year ROI, with every assumption printed."""
    with one_line_errors(OSError, ValueError):
        case = _business_case(workflow, agent, measured, measurement_config(config))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(case_html(case, "opspack business case"), encoding="utf-8")
    if as_json:
        print_data(case.as_dict())
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
    config: MeasurementConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the operations review report: one HTML file with inline SVG charts."""
    with one_line_errors(OSError, ValueError):
        now = now_or(as_of)
        data = gather(
            Ledger(Store()),
            policy or policy_path(),
            measurement_config(config),
            now=now,
            since=parse_time(since, now),
            until=parse_time(until, now),
        )
        target = write_report(data, out)
    if as_json:
        overall = data.metrics["overall"]
        print_data(
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
