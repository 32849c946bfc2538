"""The secret-leak test: run a realistic credential flow, then grep everything it left behind.

Secrets come from the environment and from the encrypted file; a connector call fails with an
error built from the request (Authorization header, form body echoed by the vendor); code logs
carelessly at DEBUG; the CLI prints ``--json``; a rotation appends to the ledger. Afterwards no
secret value -- old or new, raw or in the encodings it travels in -- may appear in the captured
logs, exception strings, CLI output, the SQLite files, the ledger export or the secrets file.
"""

from __future__ import annotations

import base64
import io
import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import responses
import yaml
from identity_support import CONNECTIONS_YAML, POLICY_DATA, START
from typer.testing import CliRunner

from connectors.auth import BasicAuth
from connectors.errors import ConnectorError
from connectors.errors import register_secret as register_with_connectors
from connectors.http import RetryPolicy, VendorHttp
from connectors.registry import BUILTIN_ADAPTERS
from connectors.rotation import RotatedCredential
from governance.identity import CredentialRegistry
from governance.ledger import Ledger
from governance.redaction import REDACTED, install_log_redaction
from governance.secrets import FileSecretStore, SecretValue, default_provider
from governance.store import Store
from opspack.cli.credentials import credentials_app

ENV_PASSWORD = "Env-Pa55word-for-ServiceNow"
FILE_TOKEN = "00OktaFileToken-abc123XYZ"
ROTATED_TOKEN = "00RotatedOktaToken-NEW-789"
SN_PATH = "servicenow/service_desk/password"
REFUSED_PASSWORD = "vendor-refuses-this-password"
REFUSED_PATH = "servicenow/service_desk/old_password"
OKTA_PATH = "okta/service_desk/token"


class OktaLikeConnector:
    """Rotates its token; the vendor is simulated, the flow through the registry is real."""

    adapter_name = "okta_fake"

    def rotate_credential(self) -> RotatedCredential:
        register_with_connectors(ROTATED_TOKEN)  # what a real adapter does with a secret it receives
        logging.getLogger("connectors.okta").debug("rotated token, new value %s", ROTATED_TOKEN)
        return RotatedCredential(
            name="token", new_secret=ROTATED_TOKEN, rotated_at=START + timedelta(days=40)
        )


def _forms(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode().rstrip("=")]


def test_no_secret_survives_a_realistic_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPSPACK_SECRET_SERVICENOW__SERVICE_DESK__PASSWORD", ENV_PASSWORD)
    FileSecretStore().set(OKTA_PATH, FILE_TOKEN)
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(POLICY_DATA))
    FileSecretStore().set(REFUSED_PATH, REFUSED_PASSWORD)
    monkeypatch.setitem(BUILTIN_ADAPTERS, "fake_rotating", "identity_support:RotatingAdapter")
    connections_file = tmp_path / "connections.yaml"
    connections_file.write_text(
        CONNECTIONS_YAML.format(adapter="fake_rotating").replace(SN_PATH, REFUSED_PATH)
    )
    install_log_redaction()
    log_stream = io.StringIO()
    handler = logging.StreamHandler(log_stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    texts: list[str] = []
    try:
        with caplog.at_level(logging.DEBUG):
            # 1. resolve both secrets on the agent's behalf, as build_connector would
            store = Store()
            registry = CredentialRegistry(store, default_provider(), clock=lambda: START)
            password = registry.resolve("service_desk", "servicenow", SN_PATH)
            token = registry.resolve("service_desk", "okta", OKTA_PATH)
            assert (password, token) == (ENV_PASSWORD, FILE_TOKEN)
            wrapped = SecretValue(password)
            logging.getLogger("opspack.agents").debug(
                "careless: password=%s token %s wrapped %r", password, token, wrapped
            )

            # 2. a connector call fails; the vendor echoes the request, credentials included
            http = VendorHttp(
                "servicenow",
                "https://servicenow.mock",
                auth=BasicAuth("svc_desk", password),
                retry=RetryPolicy(total=0),
                sleep=lambda _s: None,
            )
            with responses.RequestsMock() as mock:
                mock.add(
                    responses.POST,
                    "https://servicenow.mock/api/now/table/incident",
                    status=401,
                    body=(
                        f"bad credentials: Authorization: Basic "
                        f"{base64.b64encode(f'svc_desk:{password}'.encode()).decode()} password={password}"
                    ),
                )
                with pytest.raises(ConnectorError) as caught:
                    http.send_json("POST", "/api/now/table/incident", json={"short_description": "printer"})
            texts += [str(caught.value), repr(caught.value)]
            logging.getLogger("connectors.servicenow").error(
                "call failed: %s", caught.value, exc_info=caught.value
            )
            try:
                raise RuntimeError(f"wrapped failure with {token} and {password}") from caught.value
            except RuntimeError:
                logging.getLogger("opspack").exception("agent step failed")

            # 3. rotation through the registry: new secret stored, ledger appended
            result = registry.rotate(
                "service_desk", "okta", OktaLikeConnector(), secret_paths={"token": OKTA_PATH}
            )
            assert result.warning is None
            assert FileSecretStore().get(OKTA_PATH) == ROTATED_TOKEN
            store.dispose()

            # 4. the CLI, machine output and an error line
            runner = CliRunner()
            as_of = (START + timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%S")
            status = runner.invoke(
                credentials_app, ["status", "--json", "--policy", str(policy_file), "--as-of", as_of]
            )
            assert status.exit_code == 0, status.output
            assert '"rotated_by": "opspack"' in status.stdout
            refused = runner.invoke(
                credentials_app,
                [
                    "rotate",
                    "service_desk",
                    "servicenow",
                    "--json",
                    "--policy",
                    str(policy_file),
                    "--connections",
                    str(connections_file),
                ],
            )
            assert refused.exit_code == 1 and "AuthenticationError" in refused.stderr
            texts += [refused.output, refused.stderr]
            failed = runner.invoke(
                credentials_app, ["secrets", "set", f"bad path {ROTATED_TOKEN}"], input="x\n"
            )
            assert failed.exit_code == 1
            texts += [status.output, status.stderr, failed.output, failed.stderr]

        # 5. the ledger export
        export = io.StringIO()
        ledger_store = Store()
        assert Ledger(ledger_store).export_jsonl(export) == 1
        ledger_store.dispose()
        texts.append(export.getvalue())
        assert "credential_rotated" in export.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)

    texts += [caplog.text, log_stream.getvalue()]
    texts += [record.getMessage() for record in caplog.records]
    assert REDACTED in log_stream.getvalue()  # the careless lines were logged, scrubbed
    assert "call failed" in log_stream.getvalue() and "agent step failed" in log_stream.getvalue()

    blobs = [path.read_bytes() for path in Path(".opspack").glob("opspack.db*")]
    blobs.append(Path(".opspack/secrets.json").read_bytes())
    assert blobs[0], "the database file should exist and hold the credential metadata"

    for secret in (ENV_PASSWORD, FILE_TOKEN, ROTATED_TOKEN, REFUSED_PASSWORD):
        for form in _forms(secret):
            for i, text in enumerate(texts):
                assert form not in text, f"secret form {form[:3]}... leaked into captured text #{i}"
            for blob in blobs:
                assert form.encode() not in blob, f"secret form {form[:3]}... leaked into a file"
    basic = base64.b64encode(f"svc_desk:{ENV_PASSWORD}".encode()).decode()
    assert all(basic not in text for text in texts)
