"""Performers: the bridge from a governed `Action` to a connector Protocol call.

The executor knows nothing about ERPs or directories; it hands an allowed action to the
`ActionPerformer` registered for the action's system. A performer maps the vendor-neutral
operation (``erp.schedule_payment``) onto the Protocol method (``schedule_payment``), and answers
the executor's reconcile question -- "does the document for this business key exist already?" --
with the Protocol's look-up methods, so a retry after an unknown outcome never writes twice.
"""

from __future__ import annotations

from agents.performers.base import OperationPerformer, UnsupportedOperation
from agents.performers.crm import CRMPerformer
from agents.performers.directory import DirectoryPerformer
from agents.performers.erp import (
    BillingPerformer,
    ERPPerformer,
    PayablesPerformer,
    SalesPerformer,
    SpendPerformer,
)
from agents.performers.itsm import ITSMPerformer

__all__ = [
    "BillingPerformer",
    "CRMPerformer",
    "DirectoryPerformer",
    "ERPPerformer",
    "ITSMPerformer",
    "OperationPerformer",
    "PayablesPerformer",
    "SalesPerformer",
    "SpendPerformer",
    "UnsupportedOperation",
    "performer_for",
]


def performer_for(kind: str, connector: object) -> OperationPerformer:
    """The performer for a connector of `kind` (``erp``, ``itsm``, ``crm``, ``directory``)."""
    classes: dict[str, type[OperationPerformer]] = {
        "erp": ERPPerformer,
        "itsm": ITSMPerformer,
        "crm": CRMPerformer,
        "directory": DirectoryPerformer,
    }
    try:
        return classes[kind](connector)
    except KeyError:
        raise UnsupportedOperation(f"no performer for system kind {kind!r}") from None
