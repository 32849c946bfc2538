"""The CRM system kind: vendor-neutral models, the `CRMConnector` Protocol and `FakeCRM`."""

from __future__ import annotations

from connectors.crm.fake import FakeCRM
from connectors.crm.models import (
    Account,
    AccountOverview,
    Address,
    Case,
    CaseComment,
    CaseOrigin,
    CasePriority,
    CaseStatus,
    CaseUpdate,
    Contact,
    ContactUpdate,
    NewCase,
    name_matches,
)
from connectors.crm.protocol import CRMConnector

__all__ = [
    "Account",
    "AccountOverview",
    "Address",
    "CRMConnector",
    "Case",
    "CaseComment",
    "CaseOrigin",
    "CasePriority",
    "CaseStatus",
    "CaseUpdate",
    "Contact",
    "ContactUpdate",
    "FakeCRM",
    "NewCase",
    "name_matches",
]
