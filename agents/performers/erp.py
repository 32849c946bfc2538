"""ERP operations: the one performer registered for ``erp`` systems, assembled from the four areas.

Each area performer depends on its own Protocol only (`connectors.erp.protocol`):
`PayablesPerformer` (invoices, credit memos, holds, releases, payments, PO status, vendor master)
on `PayablesERP`, `SpendPerformer` on `SpendERP`, `SalesPerformer` (customer credit memos) on
`SalesERP` and `BillingPerformer` (subscription cancellations) on `BillingERP`. `ERPPerformer`
unites them over an `ERPConnector`, the union of the four Protocols.
"""

from __future__ import annotations

from agents.performers.erp_billing import BillingPerformer
from agents.performers.erp_payables import PayablesPerformer
from agents.performers.erp_sales import SalesPerformer
from agents.performers.erp_spend import SpendPerformer
from connectors.erp.protocol import ERPConnector

__all__ = ["BillingPerformer", "ERPPerformer", "PayablesPerformer", "SalesPerformer", "SpendPerformer"]


class ERPPerformer(PayablesPerformer, SpendPerformer, SalesPerformer, BillingPerformer):
    """Every ERP operation, over a whole `ERPConnector`."""

    kind = "erp"
    connector: ERPConnector
