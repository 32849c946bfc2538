"""`erp.create_credit_memo` over the `OrderConnector`: refunds and goodwill credits, exactly once."""

from __future__ import annotations

from decimal import Decimal

from agents.intake.orders import CreditMemoDraft, OrderConnector
from agents.performers.base import OperationPerformer
from governance.action import Action
from governance.errors import ExecutionError
from governance.executor import ExecutionResult


class CreditMemoPerformer(OperationPerformer):
    """Maps the governed credit-memo action onto the order connector; reconciles by business key."""

    kind = "erp"
    connector: OrderConnector

    def perform_create_credit_memo(self, action: Action) -> ExecutionResult:
        if action.amount is None or action.currency is None or action.counterparty is None:
            raise ExecutionError("erp.create_credit_memo needs amount, currency and counterparty")
        draft = self.parse(
            CreditMemoDraft,
            {
                "account_number": action.counterparty,
                "order_number": self.param(action, "order_number"),
                "amount": str(Decimal(action.amount)),
                "currency": action.currency,
                "reason": self.param(action, "reason"),
                "business_key": action.business_key,
            },
            action,
        )
        memo = self.connector.create_credit_memo(draft)
        return self.result(memo.id, amount=str(memo.amount), order=memo.order_number)

    def reconcile_create_credit_memo(self, action: Action) -> ExecutionResult | None:
        memo = self.connector.find_credit_memo_by_business_key(action.business_key)
        if memo is None:
            return None
        return self.result(memo.id, amount=str(memo.amount), order=memo.order_number, reconciled=True)
