"""An unserved route answers in the vendor's own error envelope, its message naming the route.

Clients that parse vendor errors (the adapters' error mapping, the vendors' SDKs) then report the
missing route the way they report any vendor error, instead of choking on a mock-specific body;
in-process strict mode still raises `MockRouteMissing` listing every route.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from mocks.base import MockRequest, MockRouteMissing, MockVendor
from mocks.hubspot import HubSpotMock
from mocks.jsm import JsmMock
from mocks.msgraph import GraphMock
from mocks.netsuite import NetSuiteMock
from mocks.okta import OktaMock
from mocks.salesforce import SalesforceMock
from mocks.sap import SapMock
from mocks.servicenow import ServiceNowMock


def _salesforce(body: Any) -> str:
    assert isinstance(body, list) and body[0]["errorCode"] == "NOT_FOUND" and body[0]["fields"] == []
    return str(body[0]["message"])


def _graph(body: Any) -> str:
    error = body["error"]
    assert error["code"] == "BadRequest" and "request-id" in error["innerError"]
    return str(error["message"])


def _okta(body: Any) -> str:
    assert body["errorCode"] == "E0000007" and {"errorLink", "errorId", "errorCauses"} <= set(body)
    return str(body["errorSummary"])


def _hubspot(body: Any) -> str:
    assert body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND" and body["correlationId"]
    return str(body["message"])


def _servicenow(body: Any) -> str:
    assert body["status"] == "failure" and set(body["error"]) == {"message", "detail"}
    return str(body["error"]["message"])


def _jira(body: Any) -> str:
    assert body["errors"] == {} and len(body["errorMessages"]) == 1
    return str(body["errorMessages"][0])


def _netsuite(body: Any) -> str:
    assert body["status"] == 404 and body["title"] == "Not Found"
    return str(body["o:errorDetails"][0]["detail"])


def _sap(body: Any) -> str:
    error = body["error"]
    assert {"code", "message", "innererror"} <= set(error)
    return str(error["message"]["value"])


CASES: list[tuple[type[MockVendor], str, str, Callable[[Any], str]]] = [
    (SalesforceMock, "GET", "/services/data/v59.0/sobjects/Case/describe/layouts/x/y", _salesforce),
    (GraphMock, "GET", "/v1.0/me/calendars", _graph),
    (OktaMock, "GET", "/api/v1/authorizationServers", _okta),
    (HubSpotMock, "GET", "/crm/v3/extensions/calling/settings", _hubspot),
    (ServiceNowMock, "GET", "/api/now/cmdb/instance/cmdb_ci", _servicenow),
    (JsmMock, "GET", "/rest/api/2/dashboard", _jira),
    (NetSuiteMock, "GET", "/services/rest/query/v1/workbook", _netsuite),
    (SapMock, "GET", "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV/A_Nothing/x/y", _sap),
]


@pytest.mark.parametrize(
    ("mock_class", "method", "path", "message_of"), CASES, ids=[c[0].NAME for c in CASES]
)
def test_unserved_route_answers_in_the_vendor_envelope(
    mock_class: type[MockVendor], method: str, path: str, message_of: Callable[[Any], str]
) -> None:
    mock = mock_class.from_fixtures()
    answer = mock.handle(MockRequest(method=method, path=path))
    assert answer.status == 404 and answer.headers["X-Mock-Route-Missing"] == "1"
    message = message_of(json.loads(answer.body_bytes()))
    assert f"{mock_class.NAME} mock has no route for {method} {path}" in message
    assert mock_class.MISSING_ROUTE_MESSAGE is not None
    with pytest.raises(MockRouteMissing, match="no route for"):
        mock.handle(MockRequest(method=method, path=path), strict=True)
