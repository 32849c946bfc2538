"""A person's decision on an escalated or shadowed case, recorded in the console.

Where a case is finished in a system opspack cannot read (or by a decision no system records), the
person says in the console what they did -- the operation, the target, the amount and the
parameters -- and the console records it as a ``console`` human outcome
(`governance.human_outcomes.record_outcome`): compared field by field with the agent's proposal,
with who (the person's policy approver id, authenticated by their console session) and when.

Only approvers the policy lists for the case's agent may record one (the agent itself never), the
same rule as for approvals. Every field is checked before anything is written: a bad amount, a
parameter text that is not a JSON object or an unknown operation is refused with the reason and
nothing is recorded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from governance.human_outcomes import (
    HumanOutcome,
    HumanOutcomeError,
    OutcomeRecord,
    PendingCase,
    ProposedOutcome,
    agent_proposal,
    pending_case,
    record_outcome,
)
from governance.ledger import Ledger
from governance.operations import CATALOGUE
from governance.policy import Policy
from opspack.errors import OpspackError

RESOLUTION = re.compile(r"^[a-z][a-z_ -]{1,39}$")
MAX_PARAMS_CHARS = 20_000


class OutcomeFormError(OpspackError, ValueError):
    """What is wrong with the submitted decision, in words for the page."""


@dataclass(frozen=True)
class OutcomeForm:
    """The form's starting values: the agent's proposal, for the person to keep or change."""

    case: PendingCase
    proposal: ProposedOutcome | None

    def defaults(self) -> dict[str, str]:
        proposal = self.proposal
        if proposal is None:
            return {"resolution": "", "operation": "", "target": "", "amount": "", "params": "{}"}
        return {
            "resolution": "done as proposed" if self.case.kind == "shadow" else "",
            "operation": proposal.operation or "",
            "target": proposal.target,
            "amount": "" if proposal.amount is None else str(proposal.amount),
            "params": json.dumps(dict(proposal.params), indent=1, sort_keys=True, default=str),
        }


def open_case(ledger: Ledger, transaction_id: str) -> OutcomeForm | None:
    """The form for a transaction still waiting for a person's outcome; None when there is none."""
    records = ledger.records(transaction_id)
    case = pending_case(transaction_id, records) if records else None
    if case is None:
        return None
    _, proposal, _ = agent_proposal(list(records))
    return OutcomeForm(case, proposal)


def may_record(policy: Policy, approver: str | None, case: PendingCase) -> str | None:
    """Why `approver` may not record this case's outcome; None when they may."""
    if approver is None:
        return "your account cannot decide (viewer, or no policy approver mapping)"
    identity = policy.agents[case.agent].identity.id if case.agent in policy.agents else None
    if approver in {case.agent, identity}:
        return "the agent cannot record a human outcome of its own case"
    if not policy.may_approve(approver, case.agent):
        return f"{approver!r} is not an approver for agent {case.agent!r} in the policy"
    return None


def _params(text: str) -> dict[str, Any]:
    if len(text) > MAX_PARAMS_CHARS:
        raise OutcomeFormError(f"parameters are longer than {MAX_PARAMS_CHARS} characters")
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutcomeFormError(f"parameters are not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(value, Mapping):
        raise OutcomeFormError("parameters must be a JSON object ({...})")
    return dict(value)


def parse(fields: Mapping[str, str]) -> tuple[str, str | None, str, Decimal | None, dict[str, Any]]:
    """resolution, operation, target, amount and parameters from the form; OutcomeFormError if bad."""
    resolution = fields.get("resolution", "").strip().lower()
    if not RESOLUTION.match(resolution):
        raise OutcomeFormError(
            "say what was done in a few words (letters, spaces, - or _; e.g. 'posted', 'rejected', 'resolved')"
        )
    operation = fields.get("operation", "").strip() or None
    if operation is not None and operation not in CATALOGUE and not re.match(r"^[a-z]+\.[a-z_]+$", operation):
        raise OutcomeFormError(f"operation {operation!r} is not an operation name (system.operation)")
    amount_text = fields.get("amount", "").strip()
    try:
        amount = Decimal(amount_text) if amount_text else None
    except InvalidOperation:
        raise OutcomeFormError(f"amount {amount_text!r} is not a number") from None
    if amount is not None and not amount.is_finite():
        raise OutcomeFormError(f"amount {amount_text!r} is not a number")
    return (
        resolution,
        operation,
        fields.get("target", "").strip()[:500],
        amount,
        _params(fields.get("params", "")),
    )


def record(
    ledger: Ledger, form: OutcomeForm, approver: str, fields: Mapping[str, str], now: datetime
) -> OutcomeRecord | None:
    """Record the person's decision; None when the same decision is already recorded."""
    resolution, operation, target, amount, params = parse(fields)
    try:
        outcome = HumanOutcome(
            transaction_id=form.case.transaction_id,
            decided_by=approver,
            decided_at=now,
            source="console",
            system="console",
            reference=form.case.transaction_id,
            resolution=resolution,
            operation=operation,
            target=target,
            amount=amount,
            params=params,
        )
    except ValueError as exc:
        raise OutcomeFormError(str(exc)) from None
    try:
        return record_outcome(ledger, outcome)
    except HumanOutcomeError as exc:
        raise OutcomeFormError(str(exc)) from None
