"""One exception tree for the mocks layer.

    MockError                         root of every error a mock defines
    ├── MockNotAvailable              (mocks; also LookupError) no mock is registered under that name
    ├── MockRouteMissing              (mocks.messages; also LookupError) a request no route answers:
    │                                  the mock lacks the vendor endpoint, never a silent 404
    ├── MockHttpError                 (mocks.messages) a handler's way to answer with a vendor error
    ├── MockConnectionDropped         (mocks.messages) a fault plan drops the connection
    ├── AssertionRefused              (mocks.client_assertion; also ValueError) a bad client assertion
    ├── PortalError                   (mocks.hubspot.portal) a HubSpot portal error response
    ├── JqlError                      (mocks.jsm.jql; also ValueError) JQL the mock cannot parse
    ├── SuiteQLError                  (mocks.netsuite.suiteql; also ValueError) SuiteQL it cannot run
    ├── OrgError                      (mocks.salesforce.errors) a Salesforce error response
    ├── SoqlError                     (mocks.salesforce.soql) SOQL the mock cannot run
    ├── JwtBearerRefused              (mocks.salesforce.jwt_bearer; also ValueError) a refused JWT grant
    └── TradeLoadError                (mocks.trade_loading; also RuntimeError) a mock refused a trade

Most of these never leave a mock: the mock turns them into the vendor's own error response, so a
connector sees `connectors.errors` exceptions, never these.
"""

from __future__ import annotations

__all__ = ["MockError"]


class MockError(Exception):
    """Root of every error the mocks layer defines."""
