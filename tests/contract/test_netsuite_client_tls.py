"""The PyPI ``netsuite`` client, unpatched, against the NetSuite mock served over HTTPS.

The client cannot share the project venv (it pins ``httpx<0.28``), so it runs in a venv of its own
(``.venv-netsuite``, or ``OPSPACK_NETSUITE_VENV``) built from ``netsuite_client/requirements.txt``
by ``netsuite_client/client_venv.py`` (also ``make netsuite-venv``), and ``netsuite_client/driver.py``
runs there as a subprocess. The client always calls ``https://<account>.suitetalk.api.netsuite.com``:
the subprocess gets what a user on a machine with a proxy would have, ``HTTPS_PROXY`` pointing at a
local CONNECT proxy that tunnels that host to the mock's port, and ``SSL_CERT_FILE`` naming the mock
CA whose server certificate covers the host. Token-based auth is signed by the client (authlib,
HMAC-SHA256, realm = account) and checked by the mock as NetSuite does.

Without a reachable package index the venv cannot be built and the test skips, saying so; where
``CI`` is set it fails instead, so the suite cannot go green in CI without running the client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mocks.connect_proxy import ConnectProxy, serve_connect_proxy
from mocks.netsuite import ACCOUNT, CONSUMER_KEY, CONSUMER_SECRET, TOKEN_ID, TOKEN_SECRET, NetSuiteMock
from mocks.server import MockServer, serve_mocks
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty

CLIENT_DIR = Path(__file__).with_name("netsuite_client")
REPO_ROOT = Path(__file__).resolve().parents[2]
NETSUITE_HOSTS = "*.suitetalk.api.netsuite.com"
HOST = f"{ACCOUNT}.suitetalk.api.netsuite.com"
PAGE = 5  # the driver's SuiteQL page size
NEW_BILL = {
    "externalId": "101:NSCLIENT-0001",
    "entity": {"id": "101"},
    "tranId": "NSCLIENT-0001",
    "tranDate": "2024-09-04",
    "currency": {"id": "4"},
    "item": {"items": [{"description": "Safety gloves", "quantity": 2, "rate": 12.5, "amount": 25.0}]},
}


@pytest.fixture(scope="module")
def client_python() -> Path:
    venv = Path(os.environ.get("OPSPACK_NETSUITE_VENV") or REPO_ROOT / ".venv-netsuite")
    built = subprocess.run(
        [sys.executable, str(CLIENT_DIR / "client_venv.py"), str(venv)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if built.returncode != 0:
        reason = f"the NetSuite client venv cannot be built (no package index?): {built.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Path(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> MockTls:
    return ensure_tls(tmp_path_factory.mktemp("mock-tls"), extra_hosts=[NETSUITE_HOSTS])


@pytest.fixture
def served(tls: MockTls) -> Iterator[tuple[NetSuiteMock, MockServer, ConnectProxy]]:
    mock = NetSuiteMock.from_fixtures()
    with (
        serve_mocks([mock], "127.0.0.1", 0, tls=tls, sole=True) as server,
        serve_connect_proxy({NETSUITE_HOSTS: ("127.0.0.1", server.port)}) as proxy,
    ):
        yield mock, server, proxy


def _client_environment(tls: MockTls, proxy: ConnectProxy) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().endswith("_PROXY") and not k.startswith(("NETSUITE_", "PYTHON"))
    }
    return {
        **inherited,
        **tls.environment(),
        **proxy.environment(),
        "NETSUITE_ACCOUNT": ACCOUNT,
        "NETSUITE_CONSUMER_KEY": CONSUMER_KEY,
        "NETSUITE_CONSUMER_SECRET": CONSUMER_SECRET,
        "NETSUITE_TOKEN_ID": TOKEN_ID,
        "NETSUITE_TOKEN_SECRET": TOKEN_SECRET,
    }


def _drive(python: Path, environment: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), str(CLIENT_DIR / "driver.py")],
        input=json.dumps(NEW_BILL),
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_netsuite_client_reads_writes_queries_and_gets_netsuite_errors(
    client_python: Path, tls: MockTls, served: tuple[NetSuiteMock, MockServer, ConnectProxy]
) -> None:
    mock, _, proxy = served
    result = _drive(client_python, _client_environment(tls, proxy))

    assert result["vendor"] == {
        "id": "101",
        "companyName": mock.store.records["vendor"]["101"]["companyName"],
    }

    created = result["created"]
    assert created["status"] == 204 and created["body"] == ""
    prefix = f"https://{HOST}/services/rest/record/v1/vendorBill/"
    assert created["location"].startswith(prefix)
    new_id = created["location"].removeprefix(prefix)
    stored = mock.store.records["vendorBill"][new_id]
    assert stored["tranId"] == "NSCLIENT-0001" and stored["entity"]["id"] == "101"
    bill = result["bill"]
    assert bill["id"] == new_id and bill["total"] == 25.0 and bill["currency"]["refName"] == "EUR"
    assert [line["description"] for line in bill["item"]["items"]] == ["Safety gloves"]

    pages = result["pages"]
    assert len(pages) >= 2 and all(len(page) <= PAGE for page in pages[:-1])
    assert all(len(page) == PAGE for page in pages[:-1]) and 0 < len(pages[-1]) <= PAGE
    seen = [row["id"] for page in pages for row in page]
    bills = mock.store.records["vendorBill"]
    assert seen == sorted(bills, key=int)  # every bill once, in order, the new one included
    vendors = mock.store.records["vendor"]
    assert all(row["companyname"] == vendors[bills[row["id"]]["entity"]["id"]]["companyName"]
               for page in pages for row in page)  # fmt: skip
    assert result["count"] == str(len(bills))

    errors = result["errors"]
    expected = {"missing_record": (404, "NONEXISTENT_ID"), "bad_query": (400, "INVALID_PARAMETER")}
    expected["unserved"] = (404, "USER_ERROR")
    for name, (status, code) in expected.items():
        body = errors[name]["body"]
        assert errors[name]["status"] == status == body["status"], name
        assert body["o:errorDetails"][0]["o:errorCode"] == code, name
        assert body["type"].startswith("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5."), name
    assert "Record 'vendorbill' was not found" in errors["bad_query"]["body"]["o:errorDetails"][0]["detail"]

    exchanges = mock.calls()
    assert exchanges and all(e.request.headers.get("Host") == HOST for e in exchanges)
    assert all(e.status != 401 for e in exchanges)  # every request signed and accepted
    assert len(mock.calls("POST", r"/query/v1/suiteql$")) == len(pages) + 2


def test_the_proxy_tunnels_only_hosts_a_mock_serves(
    tls: MockTls, served: tuple[NetSuiteMock, MockServer, ConnectProxy]
) -> None:
    _, _, proxy = served
    proxies = {"https": proxy.url}
    unsigned = requests.get(
        f"https://{HOST}/services/rest/record/v1/vendor/101", proxies=proxies, verify=str(tls.ca_cert)
    )
    assert unsigned.status_code == 401  # the mock itself answered, over TLS, for the account host
    assert unsigned.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"
    with pytest.raises(requests.exceptions.ProxyError, match="403"):
        requests.get("https://example.com/", proxies=proxies, verify=str(tls.ca_cert))
    plain = requests.get(f"http://{HOST}/services/rest/record/v1/vendor/101", proxies={"http": proxy.url})
    assert plain.status_code == 405  # it only tunnels; it never forwards a request itself
