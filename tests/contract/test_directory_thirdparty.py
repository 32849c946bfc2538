"""Okta's own Python SDK, unpatched, against the Okta mock over HTTPS with ``private_key_jwt``.

The SDK refuses ``http://`` org URLs; over the TLS mock it needs nothing but the CA in
``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``. Its PrivateKey mode signs the client assertion itself,
so the mock's verification is checked against the vendor's client, not only against ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import RSAKey

from mocks.okta import OktaMock
from mocks.server import serve_mocks
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty
pytest.importorskip("okta.client", reason="the okta SDK is not installed")


@pytest.fixture
def trusted(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> MockTls:
    tls = ensure_tls(tmp_path_factory.mktemp("mock-tls"))
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    return tls


def _service_app(mock: OktaMock) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    mock.org.register_service_app(
        "0oaSdkServiceApp", [{**RSAKey.import_key(pem).as_dict(private=False), "kid": "k1"}]
    )
    return pem


_SDK_SCENARIO = """
import asyncio, json, sys
from okta.client import Client

async def scenario(config):
    client = Client(config)
    users, _, error = await client.list_users()
    if error is not None:
        return {"error": str(error)}
    active = next(u for u in users if str(getattr(u.status, "value", u.status)) == "ACTIVE")
    steps = {
        "suspend": await client.suspend_user(active.id),
        "expire_while_suspended": await client.expire_password(active.id),
        "unsuspend": await client.unsuspend_user(active.id),
        "expire": await client.expire_password(active.id),
        "deactivate": await client.deactivate_user(active.id),
    }
    return {"count": len(users), "user": active.id,
            "errors": {k: None if v[-1] is None else str(v[-1]) for k, v in steps.items()}}

print(json.dumps(asyncio.run(scenario(json.loads(sys.stdin.read())))))
"""


def test_okta_sdk_private_key_lifecycle_over_https(trusted: MockTls) -> None:
    mock = OktaMock.from_fixtures()
    pem = _service_app(mock)
    env = {**os.environ, **trusted.environment()}  # the CA must be trusted before the SDK starts
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        config = {"orgUrl": server.url, "authorizationMode": "PrivateKey", "clientId": "0oaSdkServiceApp",
                  "scopes": ["okta.users.manage"], "privateKey": pem, "kid": "k1"}  # fmt: skip
        run = subprocess.run(
            [sys.executable, "-c", _SDK_SCENARIO], input=json.dumps(config), capture_output=True, text=True,
            env=env, timeout=120,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    errors = result["errors"]
    assert result["count"] == len(mock.org.users)
    assert {k: v for k, v in errors.items() if k != "expire_while_suspended"} == dict.fromkeys(
        ("suspend", "unsuspend", "expire", "deactivate")
    )
    assert "E0000038" in errors["expire_while_suspended"]  # not allowed while SUSPENDED
    assert mock.org.users[result["user"]]["status"] == "DEPROVISIONED"
    assert [e.status for e in mock.calls("POST", r"/oauth2/v1/token$")] == [200]  # one assertion, one token


def test_served_okta_links_are_absolute(trusted: MockTls) -> None:
    mock = OktaMock.from_fixtures()
    token = next(iter(mock.org.api_tokens))
    with serve_mocks([mock], "127.0.0.1", 0, tls=trusted) as server:
        first = requests.get(
            f"{server.url}/api/v1/users", params={"limit": "5"}, headers={"Authorization": f"SSWS {token}"}
        )
        following = first.links["next"]["url"]
        assert following.startswith(f"{server.url}/api/v1/users?")
        assert requests.get(following, headers={"Authorization": f"SSWS {token}"}).status_code == 200
        assert first.json()[0]["_links"]["self"]["href"].startswith(f"{server.url}/api/v1/users/")
