"""A stateful ServiceNow mock (Table API, Service Catalog, OAuth) seeded from fixtures/servicenow."""

from __future__ import annotations

from mocks.servicenow.mock import ServiceNowMock

__all__ = ["ServiceNowMock"]
