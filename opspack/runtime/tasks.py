"""Scheduled tasks and the schedule adapter: PO follow-ups, exception baselines, Merkle
checkpoints and credential-age checks, each run by the runner when its cron expression is due."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from governance.ledger import Ledger
from opspack.deployment import ScheduleConfig
from opspack.runtime.schedule import CronSchedule
from opspack.wiring import Wiring

logger = logging.getLogger("opspack.runtime")


class NextRun(Protocol):
    def next_after(self, moment: datetime) -> datetime: ...


def cron_schedule(expression: str) -> NextRun:
    """The schedule of a cron expression (`opspack.runtime.schedule`: five fields, macros, ``every 15m``)."""
    return CronSchedule(expression)


OUTCOME_READER_AGENTS = {"itsm": "service_desk", "crm": "customer_intake", "erp": "ap_clerk"}
"""The agent identity whose (read-only) credentials read people's outcomes, by connection kind."""


def _human_outcomes(schedule: ScheduleConfig, wiring: Wiring, now: datetime) -> dict[str, Any]:
    from agents.outcome_readers import collect_with_connectors
    from connectors.errors import ConfigurationError
    from connectors.registry import adapter_class

    assert schedule.connection is not None  # the deployment validator requires it
    name = schedule.connection
    kind = str(getattr(adapter_class(wiring.connection(name).adapter), "kind", ""))
    if kind not in OUTCOME_READER_AGENTS:
        known = ", ".join(OUTCOME_READER_AGENTS)
        raise ConfigurationError(f"human_outcomes reads {known} connections; {name!r} is a {kind or '?'}")
    connector = wiring.connector(name, agent=OUTCOME_READER_AGENTS[kind], kind=kind)
    pairs = [(name, connector)]
    report = collect_with_connectors(
        Ledger(wiring.store),
        now,
        itsm=pairs if kind == "itsm" else (),
        crm=pairs if kind == "crm" else (),
        erp=pairs if kind == "erp" else (),
        service_accounts=schedule.service_accounts,
    )
    return report.as_dict()


def run_task(name: str, schedule: ScheduleConfig, wiring: Wiring, now: datetime) -> dict[str, Any]:
    """Run one scheduled task; returns what it did (logged by the runner)."""
    if schedule.task == "merkle_checkpoint":
        return {"checkpoint": Ledger(wiring.store).checkpoint()}
    if schedule.task == "po_follow_up":
        from agents.performers import ERPPerformer
        from agents.procurement.po_followup import follow_up

        assert schedule.connection is not None  # the deployment validator requires it
        erp = wiring.connector(schedule.connection, agent="procurement", kind="erp")
        governor = wiring.governor({schedule.connection: ERPPerformer(erp)})
        results = follow_up(erp, now.date(), governor=governor, system=schedule.connection)
        return {"overdue_orders": len(results)}
    if schedule.task == "human_outcomes":
        return {"human_outcomes": _human_outcomes(schedule, wiring, now)}
    if schedule.task == "credential_age":
        from governance.identity import CredentialRegistry

        rows = CredentialRegistry(wiring.store, wiring.secrets).status(wiring.policy, now)
        overdue = [f"{r.agent}/{r.system}/{r.credential}" for r in rows if r.overdue]
        for credential in overdue:
            logger.warning("credential overdue for rotation", extra={"credential": credential})
        return {"credentials": len(rows), "overdue": overdue}
    # exception_baselines
    from governance.autonomy import load_measurement_config
    from governance.baselines import AlertDispatcher, evaluate_baselines
    from governance.metrics import read_transactions
    from opspack.settings import FIXTURES_DIR

    config = load_measurement_config(Path(os.environ.get("OPSPACK_AUTONOMY", FIXTURES_DIR / "autonomy.yaml")))
    ledger = Ledger(wiring.store)
    checks = evaluate_baselines(read_transactions(ledger, config.metrics), config.alerts, now)
    AlertDispatcher(ledger, config.alerts.webhook_url).dispatch(checks, now)
    return {"checks": len(checks), "alerts": sum(check.alert for check in checks)}
