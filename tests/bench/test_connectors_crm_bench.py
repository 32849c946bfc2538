"""Round trips per second for each CRM adapter against its in-process mock (``make bench``).

One round trip is one HTTP request through `VendorHttp` and the mock's transport adapter. The
in-memory `FakeCRM` is the ceiling: the ratio shows what the HTTP layer, the wire translation
and the mock (SOQL evaluation, HubSpot search) cost on top of the pure logic.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import requests

from connectors.auth import BearerToken, OAuth2ClientCredentials
from connectors.crm import CRMConnector, FakeCRM, NewCase
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import mount_mocks

SECONDS = 1.0
EMAIL = "ada.andersen0@acme.example"


def _salesforce() -> tuple[CRMConnector, Callable[[], int]]:
    mock = SalesforceMock.from_fixtures()
    session = mount_mocks(requests.Session(), {"https://salesforce.mock": mock})
    auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
    return SalesforceAdapter.connect("https://salesforce.mock", auth, session=session), lambda: len(mock.log)


def _hubspot() -> tuple[CRMConnector, Callable[[], int]]:
    mock = HubSpotMock.from_fixtures()
    session = mount_mocks(requests.Session(), {"https://hubspot.mock": mock})
    adapter = HubSpotAdapter.connect(
        "https://hubspot.mock", BearerToken("pat-na1-opspack-mock"), session=session
    )
    return adapter, lambda: len(mock.log)


def _measure(connector: CRMConnector, requests_made: Callable[[], int]) -> dict[str, float]:
    contact = connector.find_contact_by_email(EMAIL)
    assert contact is not None and contact.account_id is not None
    case = connector.create_case(NewCase(subject="Bench warm-up", account_id=contact.account_id))
    keys = itertools.count()
    operations: dict[str, Callable[[], object]] = {
        "get_case": lambda: connector.get_case(case.id),
        "find_contact_by_email": lambda: connector.find_contact_by_email(EMAIL),
        "create_case": lambda: connector.create_case(
            NewCase(subject="Bench", account_id=contact.account_id, business_key=f"bench-{next(keys)}")
        ),
    }
    results: dict[str, float] = {}
    for label, operation in operations.items():
        before = requests_made()
        calls = 0
        started = time.perf_counter()
        while time.perf_counter() - started < SECONDS:
            operation()
            calls += 1
        elapsed = time.perf_counter() - started
        round_trips = requests_made() - before
        results[f"{label} calls/s"] = calls / elapsed
        results[f"{label} rt/s"] = round_trips / elapsed if round_trips else calls / elapsed
    return results


def test_crm_round_trips_per_second() -> None:
    rows = {
        "FakeCRM (no HTTP)": _measure(FakeCRM.sample(), lambda: 0),
        "SalesforceAdapter + SalesforceMock": _measure(*_salesforce()),
        "HubSpotAdapter + HubSpotMock": _measure(*_hubspot()),
    }
    columns = list(next(iter(rows.values())))
    print()
    print(f"{'backend':36}" + "".join(f"{c:>30}" for c in columns))
    for name, values in rows.items():
        print(f"{name:36}" + "".join(f"{values[c]:>30,.0f}" for c in columns))
    fake = rows["FakeCRM (no HTTP)"]["get_case calls/s"]
    salesforce = rows["SalesforceAdapter + SalesforceMock"]["get_case rt/s"]
    hubspot = rows["HubSpotAdapter + HubSpotMock"]["get_case rt/s"]
    print(
        f"ratio fake/salesforce get_case: {fake / salesforce:,.1f}x; fake/hubspot: {fake / hubspot:,.1f}x; "
        f"salesforce/hubspot round trips: {salesforce / hubspot:.2f}x"
    )
    for values in rows.values():
        assert all(v > 0 for v in values.values())
