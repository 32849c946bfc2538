"""Put a buyer's trade (`ErpState`) into an ERP mock: a served one over HTTP, or a fixtures folder.

A mocks-layer module (it renders the mocks' own fixtures), so connectors never import mocks.

`load_into_served_mock` speaks to a served SAP mock as a client of S/4 would for any write: Basic
auth of the communication user, ``X-CSRF-Token: Fetch`` on a GET first, then the token and session
cookie on ``POST /sap/opu/odata/_opspack/trade`` (a mock-only admin endpoint; a real S/4 has no such
thing, there the trade comes from the buyer's own purchasing). `write_sap_fixtures` and
`write_netsuite_fixtures` render the mock's default fixtures plus the trade into a folder for
``mocks serve --seed`` and in-process mocks.
"""

from __future__ import annotations

from pathlib import Path

import requests

from connectors.erp.trade_documents import ErpState
from mocks.errors import MockError

SEED_PATH = "/sap/opu/odata/_opspack/trade"
TOKEN_PATH = "/sap/opu/odata/sap/API_BUSINESS_PARTNER/"


class TradeLoadError(MockError, RuntimeError):
    """The trade could not be loaded: the mock refused it or could not be reached."""


def load_into_served_mock(
    base_url: str, state: ErpState, user: str, password: str, *, session: requests.Session | None = None
) -> dict[str, int]:
    """POST the trade to a served SAP mock at `base_url`; returns what it added."""
    http = session or requests.Session()
    base = base_url.rstrip("/")
    try:
        fetched = http.get(
            base + TOKEN_PATH, auth=(user, password), headers={"X-CSRF-Token": "Fetch"}, timeout=30
        )
        if fetched.status_code != 200:
            raise TradeLoadError(f"{base}: logon as {user} answered {fetched.status_code}")
        answer = http.post(
            base + SEED_PATH,
            auth=(user, password),
            headers={"X-CSRF-Token": fetched.headers.get("x-csrf-token", "")},
            json=state.model_dump(mode="json"),
            timeout=60,
        )
    except requests.RequestException as exc:
        raise TradeLoadError(f"{base}: {exc}") from exc
    if answer.status_code != 201:
        try:
            reason = str(answer.json()["error"]["message"]["value"])
        except (ValueError, KeyError, TypeError):
            reason = answer.text[:300]
        raise TradeLoadError(f"{base} refused the trade ({answer.status_code}): {reason}")
    counts: dict[str, int] = answer.json()
    return counts


def write_netsuite_fixtures(folder: Path, state: ErpState, *, base: Path | None = None) -> int:
    """The NetSuite mock's fixtures (from `base`, default its own) plus the trade, written to `folder`."""
    from mocks.base import MockHttpError
    from mocks.netsuite import NetSuiteMock
    from mocks.netsuite.trade_seed import dump_fixtures, seed_trade

    mock = NetSuiteMock.from_fixtures(base)
    try:
        seed_trade(mock.store, state)
    except MockHttpError as exc:
        raise TradeLoadError(f"the NetSuite mock refused the trade: {exc}") from exc
    return dump_fixtures(mock.store, folder)


def write_sap_fixtures(folder: Path, state: ErpState, *, base: Path | None = None) -> int:
    """The SAP mock's fixtures (from `base`, default its own) plus the trade, written to `folder`."""
    from mocks.base import MockHttpError
    from mocks.sap import SapMock
    from mocks.sap.trade_seed import dump_fixtures, seed_trade

    mock = SapMock.from_fixtures(base)
    try:
        seed_trade(mock.tables, state)
    except MockHttpError as exc:
        raise TradeLoadError(f"the SAP mock refused the trade: {exc}") from exc
    return dump_fixtures(mock.tables, folder)
