"""``private_key_jwt`` client assertions: Okta service apps (JWKS) and Entra certificate credentials (x5t).

The conformance suites run both adapters in these modes (test_directory_conformance.py); these tests
pin what must be refused: another key, a replayed or misdirected assertion, a secret where the app
demands a key, malformed key material.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
from authlib.oauth2.rfc7523 import private_key_jwt_sign
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import RSAKey
from test_directory_conformance import (
    OKTA_URL,
    graph_certificate_pair,
    okta_private_key_pair,
)

from connectors.auth_jwt import CLIENT_ASSERTION_TYPE, OAuth2PrivateKeyJWT
from connectors.errors import AuthenticationError, ConfigurationError
from connectors.okta import OktaAdapter
from mocks.okta import OktaMock
from mocks.transport import mount_mocks

CLIENT_ID = "0oaServiceApp0pspack1"
TOKEN_URL = f"{OKTA_URL}/oauth2/v1/token"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def _form(assertion: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "scope": "okta.users.read", "client_id": CLIENT_ID,
            "client_assertion_type": CLIENT_ASSERTION_TYPE, "client_assertion": assertion}  # fmt: skip


def test_okta_adapter_signs_each_token_request_with_the_registered_key() -> None:
    adapter, mock, _ = okta_private_key_pair()
    login = next(iter(mock.org.users.values()))["profile"]["login"]
    assert adapter.find_user(login=login) is not None
    token_calls = mock.calls("POST", r"/oauth2/v1/token$")
    assert len(token_calls) == 1
    form = token_calls[0].request.form()
    assert form.get("client_secret") is None and form.get("client_assertion_type") == CLIENT_ASSERTION_TYPE
    header_b64, claims_b64, _ = form["client_assertion"].split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=="))
    assert header["kid"] == "opspack-2026" and header["alg"] == "RS256"
    assert claims["iss"] == claims["sub"] == CLIENT_ID and claims["aud"] == TOKEN_URL
    assert 0 < claims["exp"] - claims["iat"] <= 300


def test_okta_refuses_other_keys_replays_wrong_audiences_and_secrets() -> None:
    _, mock, pem = okta_private_key_pair()
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    stranger = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def post(form: dict[str, str]) -> requests.Response:
        return session.post(TOKEN_URL, data=form)

    forged = post(_form(private_key_jwt_sign(RSAKey.import_key(stranger), CLIENT_ID, TOKEN_URL)))
    assert forged.status_code == 401 and "signature is invalid" in forged.json()["error_description"]
    good = private_key_jwt_sign(RSAKey.import_key(pem), CLIENT_ID, TOKEN_URL)
    assert post(_form(good)).status_code == 200
    replay = post(_form(good))
    assert replay.status_code == 401 and "already been used" in replay.json()["error_description"]
    elsewhere = post(
        _form(private_key_jwt_sign(RSAKey.import_key(pem), CLIENT_ID, "https://evil.example/token"))
    )
    assert elsewhere.status_code == 401 and "audience" in elsewhere.json()["error_description"]
    long_lived = private_key_jwt_sign(RSAKey.import_key(pem), CLIENT_ID, TOKEN_URL, expires_in=7200)
    assert post(_form(long_lived)).status_code == 401
    with_secret = post({"grant_type": "client_credentials", "scope": "okta.users.read", "client_id": CLIENT_ID,
                        "client_secret": "anything"})  # fmt: skip
    assert with_secret.status_code == 401 and with_secret.json()["error"] == "invalid_client"


def test_okta_adapter_with_the_wrong_key_fails_authentication() -> None:
    _, mock, _ = okta_private_key_pair()
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    stranger = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    adapter = OktaAdapter(
        OKTA_URL, client_id=CLIENT_ID, private_key=stranger, key_id="opspack-2026", session=session
    )
    with pytest.raises(AuthenticationError, match=r"invalid_client|signature"):
        adapter.find_user(login="beth.anglin@example.com")


@pytest.mark.parametrize(
    ("private_key", "message"),
    [
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "not an unencrypted PEM private key",
        ),
        ("just some text", "not an unencrypted PEM private key"),
    ],
)
def test_malformed_private_keys_are_configuration_errors(private_key: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        OAuth2PrivateKeyJWT(TOKEN_URL, CLIENT_ID, private_key, "okta.users.read")


def test_okta_needs_exactly_one_client_credential() -> None:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    pem = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(ConfigurationError, match="one of them"):
        OktaAdapter(OKTA_URL, client_id=CLIENT_ID, client_secret="s", private_key=pem,
                    session=mount_mocks(requests.Session(), {OKTA_URL: mock}))  # fmt: skip


def test_graph_certificate_assertion_carries_x5t_and_a_wrong_certificate_is_refused() -> None:
    adapter, mock = graph_certificate_pair()
    assert adapter.find_user(login=next(iter(mock.tenant.users.values()))["userPrincipalName"]) is not None
    form = mock.calls("POST", r"/oauth2/v2\.0/token$")[0].request.form()
    header = json.loads(base64.urlsafe_b64decode(form["client_assertion"].split(".")[0] + "=="))
    app = next(iter(mock.tenant.applications.values()))
    thumbprint = base64.urlsafe_b64decode(header["x5t"] + "=").hex().upper()
    assert thumbprint == app["keyCredentials"][0]["customKeyIdentifier"] and "client_secret" not in form

    app["keyCredentials"].clear()  # the certificate is removed from the app registration
    auth = adapter._http.auth
    assert isinstance(auth, OAuth2PrivateKeyJWT)
    auth.invalidate()
    with pytest.raises(AuthenticationError, match="700027"):
        adapter.find_user(login="nobody@example.com")
