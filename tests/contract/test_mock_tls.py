"""The mocks over HTTPS: the local CA, the server certificate's names, per-vendor ports, CLI faults."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509

from mocks.faults import FaultPlan, parse_fault_spec
from mocks.okta import OktaMock
from mocks.server import serve_mocks, serve_vendor_ports
from mocks.servicenow import ServiceNowMock
from mocks.tls import DEFAULT_HOSTS, ensure_tls

SN_AUTH = ("opspack.integration", "Integration!2026")


def _handshake(port: int, ca: Path, server_hostname: str) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname),
    ):
        pass


def test_ca_and_certificate_are_made_once_and_cover_every_mock_host(tmp_path: Path) -> None:
    first = ensure_tls(tmp_path)
    ca_bytes, cert_bytes = first.ca_cert.read_bytes(), first.server_cert.read_bytes()
    again = ensure_tls(tmp_path)
    assert (again.ca_cert.read_bytes(), again.server_cert.read_bytes()) == (ca_bytes, cert_bytes)
    cert = x509.load_pem_x509_certificate(cert_bytes)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = set(names.get_values_for_type(x509.DNSName))
    assert {"localhost", "dev12345.service-now.mock", "*.okta.mock", "graph.microsoft.mock"} <= dns
    assert "127.0.0.1" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert (first.server_key.stat().st_mode & 0o777, (tmp_path / "ca-key.pem").stat().st_mode & 0o777) == (
        0o600,
        0o600,
    )
    assert set(DEFAULT_HOSTS) <= set(first.hosts)


def test_a_new_host_reissues_the_certificate_under_the_same_ca(tmp_path: Path) -> None:
    first = ensure_tls(tmp_path)
    ca_bytes, cert_bytes = first.ca_cert.read_bytes(), first.server_cert.read_bytes()
    wider = ensure_tls(tmp_path, extra_hosts=["mocks.internal.example"])
    assert wider.ca_cert.read_bytes() == ca_bytes and wider.server_cert.read_bytes() != cert_bytes
    assert "mocks.internal.example" in wider.hosts


def test_a_corrupt_ca_is_replaced_not_trusted(tmp_path: Path) -> None:
    ensure_tls(tmp_path)
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    renewed = ensure_tls(tmp_path)
    x509.load_pem_x509_certificate(renewed.ca_cert.read_bytes())  # a real certificate again
    cert = x509.load_pem_x509_certificate(renewed.server_cert.read_bytes())
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(renewed.ca_cert.read_bytes()))


def test_https_is_trusted_through_the_ca_only_and_names_are_checked(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path)
    with serve_mocks([ServiceNowMock.from_fixtures()], "127.0.0.1", 0, tls=tls) as server:
        assert server.url.startswith("https://127.0.0.1:")
        answer = requests.get(
            f"{server.url}/api/now/table/incident",
            params={"sysparm_limit": "1"},
            auth=SN_AUTH,
            verify=str(tls.ca_cert),
            timeout=10,
        )
        assert answer.status_code == 200 and answer.json()["result"][0]["number"].startswith("INC")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{server.url}/api/now/table/incident", auth=SN_AUTH, timeout=10)  # system CAs
        _handshake(server.port, tls.ca_cert, "dev12345.service-now.mock")
        with pytest.raises(ssl.SSLCertVerificationError, match=r"match|mismatch"):
            _handshake(server.port, tls.ca_cert, "intranet.example.com")
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(server.url.replace("https://", "http://") + "/api/now/table/incident", timeout=5)
        # a plain-HTTP client did not break the server for the next TLS one
        assert requests.get(f"{server.url}/api/now/table/incident", auth=SN_AUTH, verify=str(tls.ca_cert)).ok


def test_each_vendor_gets_its_own_port_serving_every_path(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path)
    mocks = {"servicenow": ServiceNowMock.from_fixtures(), "okta": OktaMock.from_fixtures()}
    servers = serve_vendor_ports(mocks, tls=tls)
    try:
        assert len({s.port for s in servers.values()}) == 2
        okta = requests.get(f"{servers['okta'].url}/nothing/here", verify=str(tls.ca_cert), timeout=10)
        assert okta.status_code == 404 and okta.json()["errorCode"] == "E0000007"  # Okta's own miss,
        assert "okta mock has no route for GET /nothing/here" in okta.json()["errorSummary"]  # no listing
        sn = requests.get(
            f"{servers['servicenow'].url}/api/now/table/sys_user", auth=SN_AUTH, verify=str(tls.ca_cert)
        )
        assert sn.ok
    finally:
        for server in servers.values():
            server.shutdown()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("okta", "must start with VENDOR=RATE"),
        ("okta=lots", "rate='lots' is not a number"),
        ("okta=1.5", "within \\[0, 1\\]"),
        ("okta=0.1,kinds=teapot", "choose from 5xx\\+429"),
        ("okta=0.1,seed", "must be key=value"),
        ("okta=0.1,colour=red", "unknown fault option 'colour'"),
        ("okta=0.1,path=(", "is not a regex"),
        ("okta=0.1,status=404", "500-599"),
    ],
)
def test_malformed_fault_specs_are_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault_spec(text)


def test_fault_spec_becomes_the_same_rule_as_in_process() -> None:
    spec = parse_fault_spec("*=0.25,kinds=429+drop,seed=7,methods=post+patch,times=3,path=/api/now/table")
    assert (spec.vendor, spec.rate, spec.kinds, spec.seed, spec.methods, spec.times) == (
        "*",
        0.25,
        ("429", "drop"),
        7,
        ("POST", "PATCH"),
        3,
    )
    from_cli, in_process = FaultPlan(), FaultPlan()
    spec.apply(from_cli)
    in_process.add(
        "/api/now/table", rate=0.25, kinds=("429", "drop"), seed=7, methods=["POST", "PATCH"], times=3
    )
    decisions = [
        (
            from_cli.decide("POST", "/api/now/table/incident", None),
            in_process.decide("POST", "/api/now/table/incident", None),
        )
        for _ in range(40)
    ]
    assert all(a == b for a, b in decisions) and sum(a is not None for a, _ in decisions) == 3


def test_cli_serves_tls_with_faults(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "opspack.cli",
        "mocks",
        "serve",
        "--vendor",
        "servicenow",
        "--port",
        str(port),
        "--tls",
        "--tls-dir",
        str(tmp_path),
        "--faults",
        "servicenow=1,kinds=5xx,path=/api/now/table/incident$",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        ca = tmp_path / "ca.pem"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"mocks serve exited: {process.stderr.read() if process.stderr else ''}")
            try:
                answer = requests.get(
                    f"https://127.0.0.1:{port}/api/now/table/incident",
                    auth=SN_AUTH,
                    verify=str(ca),
                    timeout=5,
                )
                break
            except (requests.ConnectionError, OSError):
                time.sleep(0.2)
        else:
            pytest.fail("mocks serve did not start")
        assert answer.status_code == 503 and answer.json()["status"] == "failure"  # ServiceNow's error body
        other = requests.get(f"https://127.0.0.1:{port}/api/now/table/sys_user", auth=SN_AUTH, verify=str(ca))
        assert other.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"REQUESTS_CA_BUNDLE={ca}" in output and "CA certificate" in output


def test_cli_refuses_faults_for_a_vendor_not_served(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "opspack.cli",
            "mocks",
            "serve",
            "--vendor",
            "okta",
            "--faults",
            "hubspot=0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )
    assert done.returncode == 1 and "'hubspot', which is not served" in done.stderr
