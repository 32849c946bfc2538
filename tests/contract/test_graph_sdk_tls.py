"""msgraph-sdk (Microsoft's Python SDK) with azure-identity, unpatched, against the Graph mock over TLS.

The set-up is configuration a user gives any non-public cloud: the mock CA in the environment,
``authority=`` the mock (azure-identity reads the tenant's OpenID configuration there, then
requests the token), the mock as the request adapter's base URL and as an allowed host. Both
credential kinds run: a client secret and a certificate (``CertificateCredential``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from test_directory_conformance import _self_signed

from mocks.msgraph import GraphMock
from mocks.server import MockServer, serve_mocks
from mocks.tls import MockTls, ensure_tls

pytestmark = pytest.mark.thirdparty
pytest.importorskip("msgraph", reason="msgraph-sdk is not installed")

TENANT = "dd900798-c4a8-5b86-b2af-d25f1f9df9a5"
APP = "73d8f0a5-128a-5e4c-9645-c41e5d96110c"
SECRET = "mock-graph-client-secret-9f872480-c94c-5188"
SCOPES = ["https://graph.microsoft.com/.default"]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> MockTls:
    return ensure_tls(tmp_path_factory.mktemp("mock-tls"))


def _verify(served: tuple[MockServer, GraphMock]) -> dict[str, str]:
    """azure-identity's async transport is aiohttp, which builds its default SSL context when it is
    first imported (in a test run, possibly before the CA variables were set), so the credential is
    given the CA as azure-core's documented ``connection_verify`` option."""
    tls = served[0].tls
    assert tls is not None
    return {"connection_verify": str(tls.ca_cert)}


@pytest.fixture
def served(tls: MockTls, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MockServer, GraphMock]]:
    for key, value in tls.environment().items():
        monkeypatch.setenv(key, value)
    mock = GraphMock.from_fixtures()
    with serve_mocks([mock], "127.0.0.1", 0, tls=tls, sole=True) as server:  # as `--vendor-ports`
        yield server, mock


def _client(server: MockServer, credential: Any) -> Any:
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph import GraphRequestAdapter, GraphServiceClient

    host = server.url.split("://", 1)[1]
    auth = AzureIdentityAuthenticationProvider(credential, scopes=SCOPES, allowed_hosts=[host.split(":")[0]])
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{server.url}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


def test_sdk_reads_pages_counts_writes_and_manages_members_with_a_secret(
    served: tuple[MockServer, GraphMock],
) -> None:
    from azure.identity.aio import ClientSecretCredential
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.models.password_profile import PasswordProfile
    from msgraph.generated.models.reference_create import ReferenceCreate
    from msgraph.generated.models.user import User
    from msgraph.generated.users.users_request_builder import UsersRequestBuilder

    server, mock = served

    async def scenario() -> dict[str, Any]:
        credential = ClientSecretCredential(
            TENANT, APP, SECRET, authority=server.url, disable_instance_discovery=True, **_verify(served)
        )
        client = _client(server, credential)
        try:
            query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(top=7, count=True,
                                                                             select=["id", "displayName"])  # fmt: skip
            config = RequestConfiguration(query_parameters=query)
            config.headers.add("ConsistencyLevel", "eventual")
            first = await client.users.get(request_configuration=config)
            pages = [first]
            while pages[-1].odata_next_link:
                following = RequestConfiguration()  # advanced queries keep ConsistencyLevel on every page
                following.headers.add("ConsistencyLevel", "eventual")
                pages.append(await client.users.with_url(pages[-1].odata_next_link).get(following))
            seen = [u.id for page in pages for u in page.value]
            target = first.value[0]
            await client.users.by_user_id(target.id).patch(User(job_title="Contract checked"))
            created = await client.users.post(User(
                account_enabled=True, display_name="Sdk Created", mail_nickname="sdk.created",
                user_principal_name="sdk.created@acme.example",
                password_profile=PasswordProfile(force_change_password_next_sign_in=True, password="Sdk!Passw0rd-2026"),
            ))  # fmt: skip
            groups = await client.groups.get()
            group = groups.value[0]
            reference = ReferenceCreate(odata_id=f"{server.url}/v1.0/directoryObjects/{created.id}")
            await client.groups.by_group_id(group.id).members.ref.post(reference)
            members = await client.groups.by_group_id(group.id).members.get()
            await client.groups.by_group_id(group.id).members.by_directory_object_id(created.id).ref.delete()
            after = await client.groups.by_group_id(group.id).members.get()
            return {
                "count": first.odata_count, "seen": seen, "next_links": [p.odata_next_link for p in pages[:-1]],
                "target": target.id, "created": created.id,
                "member_added": created.id in [m.id for m in members.value],
                "member_removed": created.id not in [m.id for m in after.value],
            }  # fmt: skip
        finally:
            await credential.close()

    result = asyncio.run(scenario())
    users = mock.tenant.users
    counted_before_the_create = len(users) - 1
    assert result["count"] == counted_before_the_create
    assert len(result["seen"]) == len(set(result["seen"])) == result["count"]
    assert all(link.startswith(f"{server.url}/v1.0/users?") for link in result["next_links"])  # absolute
    assert users[result["target"]]["jobTitle"] == "Contract checked"  # PATCH carried @odata.type
    assert users[result["created"]]["displayName"] == "Sdk Created"
    assert result["member_added"] and result["member_removed"]


def test_sdk_with_certificate_credentials(served: tuple[MockServer, GraphMock], tmp_path: Any) -> None:
    from azure.identity.aio import CertificateCredential

    server, mock = served
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _self_signed(key)
    mock.tenant.add_certificate(APP, certificate)
    pem = tmp_path / "graph-app.pem"
    pem.write_text(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode() + certificate
    )

    async def scenario() -> int:
        credential = CertificateCredential(TENANT, APP, certificate_path=str(pem), authority=server.url,
                                           disable_instance_discovery=True, **_verify(served))  # fmt: skip
        try:
            users = await _client(server, credential).users.get()
            return len(users.value)
        finally:
            await credential.close()

    assert asyncio.run(scenario()) > 0
    forms = [c.request.form() for c in mock.calls("POST", rf"/{TENANT}/oauth2/v2\.0/token$")]
    assert forms and "client_secret" not in forms[-1] and forms[-1]["client_assertion"].count(".") == 2


def test_sdk_certificate_signed_by_another_key_is_refused(
    served: tuple[MockServer, GraphMock], tmp_path: Any
) -> None:
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity.aio import CertificateCredential

    server, mock = served
    uploaded = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _self_signed(uploaded)
    mock.tenant.add_certificate(APP, certificate)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "impostor.pem"  # the uploaded certificate, but another private key
    pem.write_text(
        impostor.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode() + certificate
    )

    async def scenario() -> None:
        credential = CertificateCredential(TENANT, APP, certificate_path=str(pem), authority=server.url,
                                           disable_instance_discovery=True, **_verify(served))  # fmt: skip
        try:
            await credential.get_token(*SCOPES)
        finally:
            await credential.close()

    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        asyncio.run(scenario())
