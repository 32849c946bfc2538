"""Okta and Graph adapters over in-process mocks, for the directory fault and rotation tests.

Patient retries without sleeping, small pages, and the mock's own credentials: an SSWS API token
or (``oauth=True``) the OAuth service app's client secret for Okta, the app registration's
password credential for Graph.
"""

from __future__ import annotations

import requests

from connectors.http import RetryPolicy
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks

OKTA_URL = "https://acme.okta.mock"
GRAPH_URL = "https://graph.microsoft.mock"

PATIENT = RetryPolicy(total=8, backoff_factor=0.0)


def no_sleep(seconds: float) -> None:
    return None


def okta(
    mock: OktaMock, *, oauth: bool = False, session: requests.Session | None = None, base_url: str = OKTA_URL
) -> OktaAdapter:
    session = session or mount_mocks(requests.Session(), {OKTA_URL: mock})
    if oauth:
        app_id, held = next(iter(mock.org.client_secrets.items()))
        return OktaAdapter(
            base_url,
            client_id=app_id,
            client_secret=held[0]["client_secret"],
            session=session,
            retry=PATIENT,
            sleep=no_sleep,
            page_size=10,
        )
    return OktaAdapter(
        base_url,
        api_token=next(iter(mock.org.api_tokens)),
        session=session,
        retry=PATIENT,
        sleep=no_sleep,
        page_size=10,
    )


def graph(
    mock: GraphMock,
    *,
    session: requests.Session | None = None,
    base_url: str = GRAPH_URL,
    login_base_url: str = GRAPH_URL,
) -> GraphAdapter:
    session = session or mount_mocks(requests.Session(), {GRAPH_URL: mock})
    app = next(iter(mock.tenant.applications.values()))
    return GraphAdapter(
        base_url,
        tenant_id=mock.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=login_base_url,
        application_object_id=app["id"],
        session=session,
        retry=PATIENT,
        sleep=no_sleep,
        page_size=10,
    )
