"""A stateful, vendor-faithful mock of the Salesforce REST API (sObjects, SOQL subset, OAuth2)."""

from __future__ import annotations

from mocks.salesforce.mock import SalesforceMock
from mocks.salesforce.org import Org, OrgError

__all__ = ["Org", "OrgError", "SalesforceMock"]
