"""Customer-billing operations on a `BillingERP`: subscription cancellations."""

from __future__ import annotations

from agents.performers.base import OperationPerformer, check_bound
from connectors.erp.billing import Subscription, SubscriptionStatus
from connectors.erp.protocol import BillingERP
from governance.action import Action
from governance.executor import ExecutionResult


class BillingPerformer(OperationPerformer):
    """``erp.cancel_subscription``."""

    kind = "erp"
    connector: BillingERP

    def perform_cancel_subscription(self, action: Action) -> ExecutionResult:
        """Stop the renewal of subscription `target`; parameter `reason` is kept with it."""
        if action.counterparty is not None:
            current = self.connector.get_subscription(action.target)
            check_bound(
                action, f"subscription {current.id}", counterparty=current.customer_id, check_amount=False
            )
        subscription = self.connector.cancel_subscription(action.target, str(self.param(action, "reason")))
        return _cancelled(self, subscription)

    def reconcile_cancel_subscription(self, action: Action) -> ExecutionResult | None:
        subscription = self.connector.get_subscription(action.target)
        if subscription.status is not SubscriptionStatus.CANCELLED:
            return None
        return _cancelled(self, subscription, reconciled=True)


def _cancelled(
    performer: BillingPerformer, subscription: Subscription, *, reconciled: bool | None = None
) -> ExecutionResult:
    ends = None if subscription.end_date is None else subscription.end_date.isoformat()
    return performer.result(
        subscription.id, status=subscription.status.value, end_date=ends, reconciled=reconciled
    )
