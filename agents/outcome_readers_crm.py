"""How a person finished an escalated customer case, read from the CRM.

The intake agent opens a case for every message it works (``crm.create_case``) and, when it
cannot finish the work itself, escalates: it routes the case to a team and records an
``escalation``. A person then works the case in the CRM and closes it there. `CaseOutcomeReader`
reads that closure back -- who closed the case and when, as the CRM itself reports it
(``Case.closed_by``/``closed_at``: Salesforce's ``ClosedDate`` and last modifier, HubSpot's
pipeline-stage history) -- and hands it to `governance.human_outcomes` as a ``system`` outcome.

A case closed by one of opspack's own integration users (``service_accounts``), or by an app
rather than a person (HubSpot's ``integration:<app id>``), is the machine's outcome and ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connectors.crm.protocol import CRMConnector
from connectors.errors import ConnectorError, NotFoundError
from connectors.readonly import read_only_crm
from governance.human_outcomes import HumanOutcome, HumanOutcomeError, PendingCase

MACHINE_PREFIXES = ("integration:",)
"""How a CRM names a change made by an app rather than a person."""


def case_id_of(case: PendingCase) -> str | None:
    """The CRM case the transaction worked: the one it opened, else the one its actions targeted."""
    for record in reversed(case.records):
        payload: Mapping[str, Any] = record.payload
        if (
            record.kind == "execution_outcome"
            and payload.get("operation") == "crm.create_case"
            and payload.get("status") in ("executed", "duplicate")
            and payload.get("document_id")
        ):
            return str(payload["document_id"])
    for record in reversed(case.records):
        action = record.payload.get("action") if record.kind == "verdict" else None
        if isinstance(action, Mapping) and str(action.get("operation", "")).startswith("crm."):
            target = action.get("target")
            if isinstance(target, str) and target:
                return target
    return None


class CaseOutcomeReader:
    """How a person finished an escalated customer case, read from the CRM."""

    def __init__(
        self,
        crm: CRMConnector,
        *,
        system: str,
        service_accounts: Collection[str],
        agents: Collection[str] = ("customer_intake",),
    ) -> None:
        self.crm, self.system = read_only_crm(crm), system
        self.service_accounts = frozenset(a.lower() for a in service_accounts)
        """opspack's own CRM users: what they closed is not a human outcome."""
        self.agents = frozenset(agents)

    def read(self, case: PendingCase) -> HumanOutcome | None:
        if case.agent not in self.agents or case.kind != "escalation":
            return None
        case_id = case_id_of(case)
        if case_id is None:
            return None
        try:
            crm_case = self.crm.get_case(case_id)
        except NotFoundError:
            return None
        except ConnectorError as exc:
            raise HumanOutcomeError(f"cannot read case {case_id} from {self.system}: {exc}") from exc
        closer, closed_at = crm_case.closed_by, crm_case.closed_at
        if not crm_case.is_closed or not closer or closed_at is None:
            return None
        if closer.lower() in self.service_accounts or closer.startswith(MACHINE_PREFIXES):
            return None
        return HumanOutcome(
            transaction_id=case.transaction_id,
            decided_by=closer,
            decided_at=closed_at,
            source="system",
            system=self.system,
            reference=crm_case.number,
            resolution="closed",
            operation="crm.close_case",
            target=crm_case.id,
            params={"status": crm_case.status.value, "owner_queue": crm_case.owner_queue},
        )
