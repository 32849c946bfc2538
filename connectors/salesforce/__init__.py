"""Salesforce CRM adapter (REST API v59.0: sObjects, SOQL, OAuth2)."""

from __future__ import annotations

from connectors.salesforce.adapter import SalesforceAdapter
from connectors.salesforce.records import SalesforceOptions

__all__ = ["SalesforceAdapter", "SalesforceOptions"]
