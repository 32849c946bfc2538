"""Salesforce's JWT-bearer flow: the adapter signs an assertion (authlib), the mock checks it.

The CRM conformance suite runs the Salesforce adapter in this mode (``TestSalesforceJwtBearer``);
these tests pin the assertion's claims and what Salesforce refuses: another key, another consumer
key, a wrong audience, an unknown user, an expired assertion, an app without a certificate.
"""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from authlib.oauth2.rfc7523 import JWTBearerGrant
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from joserfc.jwk import RSAKey
from test_directory_conformance import _self_signed

from connectors.auth_jwt import JWT_BEARER_GRANT_TYPE
from connectors.errors import AuthenticationError, ConfigurationError
from connectors.registry import ConnectionConfig
from connectors.salesforce import SalesforceAdapter
from mocks.salesforce import SalesforceMock
from mocks.transport import mount_mocks

BASE = "https://salesforce.mock"
CONSUMER_KEY = "opspack-mock-client"
USER = "integration@opspack.example"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def jwt_bearer_pair(
    *, options: dict[str, str] | None = None, username: str = USER, upload: bool = True
) -> tuple[SalesforceAdapter, SalesforceMock, rsa.RSAPrivateKey]:
    mock = SalesforceMock.from_fixtures()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if upload:
        mock.upload_certificate(_self_signed(key))
    session = mount_mocks(requests.Session(), {BASE: mock})
    connection = ConnectionConfig(name="sf", adapter="salesforce", base_url=BASE, options=options or {})
    credentials = {"client_id": CONSUMER_KEY, "private_key": _pem(key), "username": username}
    return SalesforceAdapter.from_config(connection, credentials, session), mock, key


def _claims(assertion: str) -> tuple[dict[str, str], dict[str, object]]:
    header_b64, claims_b64, _ = assertion.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=="))  # noqa: E731
    return decode(header_b64), decode(claims_b64)


def test_adapter_logs_in_with_a_signed_assertion_and_no_secret() -> None:
    adapter, mock, _ = jwt_bearer_pair()
    assert adapter.find_account_by_number("CUST-10001") is not None
    token_calls = mock.calls("POST", r"/services/oauth2/token$")
    assert len(token_calls) == 1
    form = token_calls[0].request.form()
    assert form["grant_type"] == JWT_BEARER_GRANT_TYPE
    assert "client_secret" not in form and "password" not in form
    header, claims = _claims(form["assertion"])
    assert header["alg"] == "RS256"
    assert claims["iss"] == CONSUMER_KEY and claims["sub"] == USER
    assert claims["aud"] == "https://login.salesforce.com"
    assert 0 < int(str(claims["exp"])) - int(str(claims["iat"])) <= 180


def test_sandbox_audience_comes_from_the_login_url_option() -> None:
    adapter, mock, _ = jwt_bearer_pair(options={"login_url": "https://test.salesforce.com"})
    adapter.find_account_by_number("CUST-10001")
    form = mock.calls("POST", r"/services/oauth2/token$")[0].request.form()
    assert _claims(form["assertion"])[1]["aud"] == "https://test.salesforce.com"


def test_expired_token_is_replaced_by_a_fresh_assertion_not_a_refresh() -> None:
    adapter, mock, _ = jwt_bearer_pair()
    adapter.find_account_by_number("CUST-10001")
    mock.expire_sessions()
    adapter.find_account_by_number("CUST-10001")
    forms = [c.request.form() for c in mock.calls("POST", r"/services/oauth2/token$")]
    assert [f["grant_type"] for f in forms] == [JWT_BEARER_GRANT_TYPE] * 2
    assert forms[0]["assertion"] != forms[1]["assertion"]


@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("unknown user", "user hasn't approved this consumer"),
        ("wrong audience", "audience is invalid"),
        ("no certificate", "invalid assertion"),
    ],
)
def test_adapter_surfaces_salesforce_refusals(case: str, description: str) -> None:
    if case == "unknown user":
        adapter, _, _ = jwt_bearer_pair(username="nobody@opspack.example")
    elif case == "wrong audience":
        adapter, _, _ = jwt_bearer_pair(options={"login_url": "https://evil.example"})
    else:
        adapter, _, _ = jwt_bearer_pair(upload=False)
    with pytest.raises(AuthenticationError) as caught:
        adapter.find_account_by_number("CUST-10001")
    assert description in str(caught.value) and "/services/oauth2/token" in str(caught.value)


def _token_answer(mock: SalesforceMock, assertion: str) -> requests.Response:
    session = mount_mocks(requests.Session(), {BASE: mock})
    form = {"grant_type": JWT_BEARER_GRANT_TYPE, "assertion": assertion}
    return session.post(f"{BASE}/services/oauth2/token", data=form)


def test_mock_refuses_other_keys_other_apps_and_expired_assertions() -> None:
    _, mock, key = jwt_bearer_pair()
    own = RSAKey.import_key(_pem(key))
    other = RSAKey.import_key(_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))

    def sign(signing_key: RSAKey, issuer: str = CONSUMER_KEY, expires_in: int = 120, **kw: int) -> str:
        signed = JWTBearerGrant.sign(
            signing_key, issuer=issuer, audience="https://login.salesforce.com", subject=USER,
            header={"alg": "RS256"}, expires_in=expires_in, **kw,
        )  # fmt: skip
        return signed.decode() if isinstance(signed, bytes) else str(signed)

    assert _token_answer(mock, sign(own)).status_code == 200
    refusals = {
        "other key": sign(other),
        "other app": sign(own, issuer="3MVG9someOtherApp"),
        "expired": sign(own, issued_at=int(time.time()) - 600),
        "too long": sign(own, expires_in=3600),
        "garbage": "not-a-jwt",
    }
    answers = {name: _token_answer(mock, assertion) for name, assertion in refusals.items()}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(refusals, 400)
    errors = {name: a.json()["error"] for name, a in answers.items()}
    assert errors["other app"] == "invalid_client_id"
    assert {errors[n] for n in ("other key", "expired", "too long", "garbage")} == {"invalid_grant"}


def test_private_key_must_be_a_pem_key() -> None:
    connection = ConnectionConfig(name="sf", adapter="salesforce", base_url=BASE)
    with pytest.raises(ConfigurationError, match="PEM"):
        SalesforceAdapter.from_config(
            connection, {"client_id": CONSUMER_KEY, "private_key": "not a key", "username": USER}, None
        )
