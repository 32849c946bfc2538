"""A local certificate authority and server certificate for serving the mocks over HTTPS.

Generated with `cryptography` on first use into a directory (``~/.cache/opspack/mock-tls`` by
default, or ``OPSPACK_MOCK_TLS_DIR``) and reused afterwards while they cover the host names asked
for and stay valid:

- ``ca.pem``: the CA certificate. Point ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` (or a
  session's ``verify``) at it; nothing else needs to trust anything.
- ``server.pem`` / ``server-key.pem``: the server certificate, signed by the CA, with SANs for
  ``localhost``, ``127.0.0.1``, ``::1`` and each vendor's ``*.mock`` host names (the names the
  adapters' examples use, such as ``dev12345.service-now.mock``).

The CA key never leaves the directory; it is only needed to re-issue the server certificate when
a new host name is asked for.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DEFAULT_HOSTS", "VENDOR_HOSTS", "MockTls", "default_tls_dir", "ensure_tls"]

VENDOR_HOSTS: dict[str, tuple[str, ...]] = {
    "servicenow": ("dev12345.service-now.mock", "*.service-now.mock"),
    "jsm": ("acme.atlassian.mock", "*.atlassian.mock", "jira.mock"),
    "sap_s4hana": ("s4hana.mock", "*.s4hana.mock"),
    "netsuite": ("*.suitetalk.api.netsuite.mock", "netsuite.mock"),
    "salesforce": ("acme.my.salesforce.mock", "*.my.salesforce.mock", "login.salesforce.mock"),
    "hubspot": ("api.hubapi.mock",),
    "okta": ("acme.okta.mock", "*.okta.mock"),
    "msgraph": ("graph.microsoft.mock", "login.microsoftonline.mock"),
}
"""Host names each vendor's mock certificate covers (the ``*.mock`` names used in examples)."""

DEFAULT_HOSTS: tuple[str, ...] = (
    "localhost",
    "127.0.0.1",
    "::1",
    *(h for hosts in VENDOR_HOSTS.values() for h in hosts),
)

_CA_NAME = "opspack mock CA"
_VALIDITY = dt.timedelta(days=825)
_RENEW_BEFORE = dt.timedelta(days=30)


def default_tls_dir() -> Path:
    """``OPSPACK_MOCK_TLS_DIR`` or ``~/.cache/opspack/mock-tls``."""
    configured = os.environ.get("OPSPACK_MOCK_TLS_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "opspack" / "mock-tls"


@dataclass(frozen=True)
class MockTls:
    """Paths of the generated files, and the server-side SSL context built from them."""

    directory: Path
    ca_cert: Path
    server_cert: Path
    server_key: Path
    hosts: tuple[str, ...]

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.server_cert, self.server_key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting only the mock CA (for ``httpx``/``aiohttp`` clients)."""
        return ssl.create_default_context(cafile=str(self.ca_cert))

    def environment(self) -> dict[str, str]:
        """Variables that make `requests`, `httpx` and OpenSSL-based clients trust the mock CA."""
        return {"REQUESTS_CA_BUNDLE": str(self.ca_cert), "SSL_CERT_FILE": str(self.ca_cert)}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _new_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _CA_NAME)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(directory / "ca-key.pem", _key_pem(key))
    (directory / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _load_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if not (cert_path.exists() and key_path.exists()):
        return None
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except ValueError:
        return None  # unreadable files are replaced rather than trusted
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.not_valid_after_utc - _RENEW_BEFORE < _now():
        return None
    return cert, key


def _server_cert_covers(directory: Path, ca: x509.Certificate, hosts: Iterable[str]) -> bool:
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    if not (cert_path.exists() and key_path.exists()):
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    if cert.issuer != ca.subject or cert.not_valid_after_utc - _RENEW_BEFORE < _now():
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    present = set(names)
    return all(_san(h) in present for h in hosts)


def _issue_server_cert(
    directory: Path, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, hosts: tuple[str, ...]
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "opspack mocks")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(directory / "server-key.pem", _key_pem(key))
    (directory / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def ensure_tls(directory: str | Path | None = None, extra_hosts: Iterable[str] = ()) -> MockTls:
    """The CA and server certificate in `directory`, generated or re-issued as needed.

    A server certificate is re-issued when it is missing, expiring, signed by another CA or does
    not cover every host in `DEFAULT_HOSTS` plus `extra_hosts`; the CA is kept while it is valid.
    """
    target = Path(directory) if directory is not None else default_tls_dir()
    hosts = tuple(dict.fromkeys([*DEFAULT_HOSTS, *extra_hosts]))
    target.mkdir(parents=True, exist_ok=True)
    ca = _load_ca(target) or _new_ca(target)
    if not _server_cert_covers(target, ca[0], hosts):
        _issue_server_cert(target, ca[0], ca[1], hosts)
    return MockTls(
        directory=target,
        ca_cert=target / "ca.pem",
        server_cert=target / "server.pem",
        server_key=target / "server-key.pem",
        hosts=hosts,
    )
