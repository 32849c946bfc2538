"""ServiceNow adapter: `ITSMConnector` over the Table API and Service Catalog."""

from __future__ import annotations

from connectors.servicenow.adapter import ServiceNowAdapter

__all__ = ["ServiceNowAdapter"]
