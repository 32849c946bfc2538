"""Scheduled tasks and the schedule adapter: PO follow-ups, exception baselines, Merkle
checkpoints and credential-age checks, each run by the runner when its cron expression is due."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from connectors.errors import ConfigurationError
from governance.ledger import Ledger
from opspack.deployment import ScheduleConfig
from opspack.wiring import Wiring

logger = logging.getLogger("opspack.runtime")


class NextRun(Protocol):
    def next_after(self, moment: datetime) -> datetime: ...


def cron_schedule(expression: str) -> NextRun:
    """`opspack.runtime.schedule.CronSchedule` when present, else croniter behind the same method."""
    try:
        from opspack.runtime.schedule import CronSchedule  # type: ignore[import-not-found, unused-ignore]

        schedule: NextRun = CronSchedule(expression)
        return schedule
    except ImportError:
        pass
    try:
        from croniter import croniter  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigurationError(
            "schedules need opspack.runtime.schedule (or croniter)", vendor="deployment"
        ) from None
    if not croniter.is_valid(expression):
        raise ConfigurationError(f"invalid cron expression {expression!r}", vendor="deployment")

    class _Croniter:
        def next_after(self, moment: datetime) -> datetime:
            found: datetime = croniter(expression, moment).get_next(datetime)
            return found

    return _Croniter()


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
