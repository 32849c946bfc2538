"""Order-to-cash operations on a `SalesERP`: customer credit memos.

The credit memo draft is re-read right before the write and bound to the judged amount, currency
and customer; the action's business key is the memo's, so a retry finds the memo instead of
booking it twice.
"""

from __future__ import annotations

from agents.performers.base import OperationPerformer, check_bound, written
from connectors.erp.protocol import SalesERP
from connectors.erp.sales import CreditMemoDraft
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult


class SalesPerformer(OperationPerformer):
    """``erp.create_credit_memo``."""

    kind = "erp"
    connector: SalesERP

    def perform_create_credit_memo(self, action: Action) -> ExecutionResult:
        draft = _credit_memo_draft(self, action)
        check_bound(
            action,
            "the credit memo draft",
            amount=draft.amount,
            currency=draft.currency,
            counterparty=draft.customer_id,
        )
        memo = self.connector.create_credit_memo(draft)
        return self.result(
            memo.id,
            amount=str(memo.amount),
            currency=memo.currency,
            written=written(memo.amount, memo.currency, memo.customer_id, memo.id),
        )

    def reconcile_create_credit_memo(self, action: Action) -> ExecutionResult | None:
        _credit_memo_draft(self, action)
        memo = self.connector.find_credit_memo(action.business_key)
        if memo is None:
            return None
        return self.result(
            memo.id,
            amount=str(memo.amount),
            reconciled=True,
            written=written(memo.amount, memo.currency, memo.customer_id, memo.id),
        )


def _credit_memo_draft(performer: SalesPerformer, action: Action) -> CreditMemoDraft:
    data = performer.param(action, "credit_memo")
    if not isinstance(data, dict) or "business_key" in data:
        raise ExecutionError(
            f"{action.operation}: 'credit_memo' must be an object without 'business_key' "
            "(the action's business key is used)"
        )
    return performer.parse(CreditMemoDraft, {**data, "business_key": action.business_key}, action)
