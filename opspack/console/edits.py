"""Edit-and-approve: a changed action is a new action, with its own digest and its own approver.

The policy has no notion of "approve with changes", and an approval is bound to the exact digest,
so an edit cannot amend the held action. Instead the editor rejects it (reason ``edited: ...``)
and submits the edited action with ``requested_by`` = the editor, in the same transaction. The
Governor then holds it as a new request that the editor -- now its maker -- cannot approve: a
second approver must. An edit the gate would let through without approval (say an amount cut
below the agent's cap) is refused: the edit itself would then escape the four-eyes check. A
``note`` record (``approval_edited``) links the two requests and lists the changed fields.

Editable: the target and the parameters. The amount, currency and counterparty are not fields of
their own: they are derived again from the edited parameters (governance/operations.py), so an
edit of ``params.invoice.gross_amount`` changes the amount the gate judges. An amount typed in
the form must agree with the edited parameters. Agent, system, operation, currency, counterparty
and business key stay: changing them is a different piece of work, not an edit.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from governance import approvals
from governance.action import Action
from governance.context import running_totals
from governance.errors import ApprovalError
from governance.gate import Context, Decision, Verdict, evaluate, required_aggregates
from governance.kill_switches import apply_kill_switch
from governance.runtime import Outcome
from opspack.console.services import ConsoleServices

EDITABLE_FIELDS = ("target", "amount", "params")
EDITED_EVENT = "approval_edited"


def edited_action(original: Action, *, target: str, amount: str, params: str, editor: str) -> Action:
    """The original with the editable fields replaced; raises `ApprovalError` on bad input."""
    try:
        parsed = json.loads(params) if params.strip() else {}
    except json.JSONDecodeError as exc:
        raise ApprovalError(f"parameters: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(parsed, dict):
        raise ApprovalError("parameters: must be a JSON object ({...})")
    try:
        money = Decimal(amount.strip()) if amount.strip() else None
    except InvalidOperation:
        raise ApprovalError(f"amount: {amount.strip()!r} is not a number") from None
    data = original.model_dump(exclude={"amount", "currency", "counterparty"})
    data.update(target=target.strip(), params=parsed, requested_by=editor)
    if money is not None:
        data["amount"] = money
    try:
        action = Action.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "parameters"
        raise ApprovalError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
    for name in ("currency", "counterparty"):
        if getattr(action, name) != getattr(original, name):
            raise ApprovalError(
                f"{name}: the edited parameters change it from {getattr(original, name)!r} to "
                f"{getattr(action, name)!r}; that is a different piece of work, not an edit"
            )
    if changed_fields(original, action) == []:
        raise ApprovalError("nothing was changed: approve or reject the action as it is")
    return action


def changed_fields(original: Action, edited: Action) -> list[str]:
    before, after = original.canonical(), edited.canonical()
    return [name for name in EDITABLE_FIELDS if before[name] != after[name]]


def preview(console: ConsoleServices, action: Action) -> Verdict:
    """What the gate would say about `action` if it were submitted now (nothing is written)."""
    policy, now = console.policy, console.now()
    with console.store.connect() as connection:
        totals = running_totals(connection, required_aggregates(action, policy, now))
        verdict = evaluate(action, Context(policy, now, totals))
        return apply_kill_switch(connection, action, verdict)


def edit_and_resubmit(
    console: ConsoleServices, approval_id: str, editor: str, reason: str, edited: Action
) -> Outcome:
    """Reject the held request as edited and submit `edited` for someone else's approval."""
    if not reason.strip():
        raise ApprovalError("an edit needs a reason")
    request = approvals.get_request(console.store, approval_id)
    verdict = preview(console, edited)
    if verdict.decision is not Decision.HOLD:
        why = "; ".join(detail.message for detail in verdict.reasons)
        if verdict.decision is Decision.DENY:
            raise ApprovalError(f"the edited action would be denied: {why}")
        raise ApprovalError(
            f"the edited action would {verdict.decision.value} without a second approval ({why}); an edit "
            "must still need one -- reject the action instead and let the agent act"
        )
    governor = console.governor(request.agent)
    governor.reject(approval_id, editor, f"edited: {reason.strip()}")
    outcome = governor.submit(edited, transaction_id=request.transaction_id)
    console.ledger.append(
        request.transaction_id,
        "note",
        {
            "event": EDITED_EVENT,
            "original_approval_id": approval_id,
            "new_approval_id": outcome.approval_id,
            "original_digest": request.action.digest_for(request.policy_version),
            "new_digest": edited.digest_for(governor.policy.version),
            "changed": changed_fields(request.action, edited),
            "reason": reason.strip(),
            "outcome": outcome.status,
        },
        agent=request.agent,
        actor=editor,
    )
    return outcome
