"""Spend operations on a `SpendERP`: writing a spend line's category back."""

from __future__ import annotations

from agents.performers.base import OperationPerformer
from connectors.erp.protocol import SpendERP
from governance.action import Action
from governance.executor import ExecutionResult


class SpendPerformer(OperationPerformer):
    """``erp.set_spend_category``."""

    kind = "erp"
    connector: SpendERP

    def perform_set_spend_category(self, action: Action) -> ExecutionResult:
        line = self.connector.set_spend_category(action.target, str(self.param(action, "category")))
        return self.result(line.id, category=line.category)

    def reconcile_set_spend_category(self, action: Action) -> ExecutionResult | None:
        # Setting a category is an overwrite, so sending it again is harmless: nothing to find.
        return None
