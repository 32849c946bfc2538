"""Every `DirectoryConnector` implementation passes the same conformance suite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey

from connectors.directory import DirectoryConnector, FakeDirectory
from connectors.directory.conformance import DirectoryConformance, DirectoryScenario
from connectors.msgraph import GraphAdapter
from connectors.okta import OktaAdapter
from connectors.registry import ConnectionConfig
from mocks.msgraph import GraphMock
from mocks.okta import OktaMock
from mocks.transport import mount_mocks


class TestFakeDirectoryConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return FakeDirectory.sample()


OKTA_URL = "https://acme.okta.mock"


def okta_pair(*, oauth: bool = False) -> tuple[OktaAdapter, OktaMock]:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    if oauth:
        app_id, held = next(iter(mock.org.client_secrets.items()))
        adapter = OktaAdapter(
            OKTA_URL, client_id=app_id, client_secret=held[0]["client_secret"], session=session
        )
    else:
        adapter = OktaAdapter(OKTA_URL, api_token=next(iter(mock.org.api_tokens)), session=session)
    return adapter, mock


class TestOktaConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return okta_pair()[0]


GRAPH_URL = "https://graph.microsoft.mock"


def graph_pair() -> tuple[GraphAdapter, GraphMock]:
    mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    session = mount_mocks(requests.Session(), {GRAPH_URL: mock})
    app = next(iter(mock.tenant.applications.values()))
    adapter = GraphAdapter(
        GRAPH_URL,
        tenant_id=mock.tenant.tenant_id,
        client_id=app["appId"],
        client_secret=app["passwordCredentials"][0]["secretText"],
        login_base_url=GRAPH_URL,
        application_object_id=app["id"],
        session=session,
    )
    return adapter, mock


class TestGraphConformance(DirectoryConformance):
    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return graph_pair()[0]

    @pytest.fixture
    def scenario(self) -> DirectoryScenario:
        return DirectoryScenario(emails_resets=False)


class TestOktaServiceAppConformance(DirectoryConformance):
    """The same rules hold when Okta is reached with an OAuth service app instead of an SSWS token."""

    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return okta_pair(oauth=True)[0]


def _service_app_key(kid: str) -> tuple[str, dict[str, object]]:
    """A fresh RSA key (PEM) and its public JWK, as an admin registers for a service app."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = RSAKey.import_key(pem).as_dict(private=False)
    return pem, {**public, "kid": kid, "use": "sig", "alg": "RS256"}


def okta_private_key_pair() -> tuple[OktaAdapter, OktaMock, str]:
    mock = OktaMock.from_fixtures(org_url=OKTA_URL)
    pem, jwk = _service_app_key("opspack-2026")
    mock.org.register_service_app("0oaServiceApp0pspack1", [jwk])
    session = mount_mocks(requests.Session(), {OKTA_URL: mock})
    connection = ConnectionConfig(name="okta", adapter="okta", base_url=OKTA_URL)
    credentials = {"client_id": "0oaServiceApp0pspack1", "private_key": pem, "key_id": "opspack-2026"}
    return OktaAdapter.from_config(connection, credentials, session), mock, pem


class TestOktaPrivateKeyJwtConformance(DirectoryConformance):
    """A service app with ``private_key_jwt`` (the only way Okta grants it ``okta.*`` scopes)."""

    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return okta_private_key_pair()[0]


def _self_signed(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "opspack directory agent")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


def graph_certificate_pair() -> tuple[GraphAdapter, GraphMock]:
    mock = GraphMock.from_fixtures(graph_url=GRAPH_URL)
    session = mount_mocks(requests.Session(), {GRAPH_URL: mock})
    app = next(iter(mock.tenant.applications.values()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _self_signed(key)
    mock.tenant.add_certificate(app["appId"], certificate)
    connection = ConnectionConfig(
        name="graph", adapter="msgraph", base_url=GRAPH_URL, options={"login_base_url": GRAPH_URL}
    )
    credentials = {
        "tenant_id": mock.tenant.tenant_id,
        "client_id": app["appId"],
        "certificate": certificate,
        "private_key": key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode(),
    }
    return GraphAdapter.from_config(connection, credentials, session), mock


class TestGraphCertificateConformance(DirectoryConformance):
    """Entra certificate credentials: a client assertion whose ``x5t`` names the uploaded certificate."""

    @pytest.fixture
    def connector(self) -> DirectoryConnector:
        return graph_certificate_pair()[0]

    @pytest.fixture
    def scenario(self) -> DirectoryScenario:
        return DirectoryScenario(emails_resets=False)
