"""`opspack init DIR`: a starter deployment -- opspack.yaml, connections.yaml and a policy in which
every action class starts at the first tier (shadow: decide, record, never act), as the readiness
steps advise. Autonomy is earned afterwards (`opspack autonomy`), one action class at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from governance.policy import load_policy
from opspack.cli.errors import fail
from opspack.cli.options import JsonOption
from opspack.deployment import load_deployment
from opspack.settings import DEFAULT_CONNECTIONS_PATH, DEFAULT_POLICY_PATH

DEPLOYMENT = """\
# opspack deployment: which agents run, on which connections, fed by which sources, on which
# schedules. Validated when `opspack run` starts (unknown keys are refused). Paths are relative to
# this file. Reference: docs/OPERATIONS.md.
database: sqlite:///.opspack/opspack.db     # or postgresql+psycopg://user@host/db
policy: policy.yaml                         # every action class starts at shadow
connections: connections.yaml               # *.mock hosts run the vendor mocks in-process

runtime:
  poll_seconds: 5          # pause between polls when the sources had nothing
  approvals_seconds: 1     # decided approvals are executed (or closed) within this
  health: {host: 127.0.0.1, port: 9464}     # /healthz /readyz /metrics
  tracing: {exporter: "off"}  # console, or otlp with endpoint: http://collector:4318/v1/traces (OPSPACK_TRACING overrides)

sources:
  invoices:                # drop invoices here; settled files move to done/ or failed/
    kind: folder
    path: inbox
    patterns: ["*.pdf", "*.xml", "*.json", "*.csv"]
  customer-messages:
    kind: folder
    path: messages
    patterns: ["*.eml", "*.json"]
  desk-queue:              # new and updated tickets of one ITSM queue
    kind: itsm_queue
    connection: servicenow
    queue: Service Desk

agents:
  ap:
    type: ap
    connections: {erp: sap}
    sources: [invoices]
  intake:
    type: intake
    connections: {crm: salesforce, erp: sap}
    sources: [customer-messages]
  service-desk:
    type: service_desk
    connections: {itsm: servicenow, directory: okta, erp: sap}
    sources: [desk-queue]
    enabled: false         # enable once `opspack connections check servicenow okta` is OK

schedules:
  checkpoints: {cron: "0 * * * *", task: merkle_checkpoint}
  credential-age: {cron: "30 6 * * *", task: credential_age}
  exception-baselines: {cron: "0 6 * * *", task: exception_baselines}
  po-follow-up: {cron: "0 7 * * 1-5", task: po_follow_up, connection: sap}
"""

SHADOW_NOTE = """\
# Starter policy written by `opspack init`: the example policy's scopes, thresholds and routes, with
# every action class at the first tier, shadow (decide and record; nothing is done). Promote one
# class at a time from evidence: `opspack readiness`, `opspack autonomy recommend`.
"""


def shadow_policy(source: Path = DEFAULT_POLICY_PATH) -> dict[str, Any]:
    """The example policy with every agent's autonomy at shadow, each declared class listed."""
    data: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    for agent in data.get("agents", {}).values():
        operations = sorted({op for ops in agent.get("systems", {}).values() for op in ops})
        agent["autonomy"] = {"default": "shadow", "classes": dict.fromkeys(operations, "shadow")}
    data["version_label"] = "starter (all shadow)"
    return data


def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the starter deployment (created).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a starter opspack.yaml, connections.yaml and an all-shadow policy.yaml into DIRECTORY."""
    files = {
        "opspack.yaml": DEPLOYMENT,
        "connections.yaml": DEFAULT_CONNECTIONS_PATH.read_text(encoding="utf-8"),
        "policy.yaml": SHADOW_NOTE + yaml.safe_dump(shadow_policy(), sort_keys=False, allow_unicode=True),
    }
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        fail(f"{', '.join(existing)} already exist in {directory} (use --force)")
    for folder in ("inbox", "messages"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    load_policy(directory / "policy.yaml")  # what was written is valid, or this fails loudly
    load_deployment(directory / "opspack.yaml")
    if as_json:
        typer.echo(
            json.dumps(
                {"directory": str(directory), "written": [str(directory / n) for n in files]}, indent=2
            )
        )
        return
    typer.echo(f"wrote {', '.join(files)} in {directory}")
    typer.echo(
        "next: opspack connections check --connections "
        f"{directory / 'connections.yaml'}; then opspack run --config {directory / 'opspack.yaml'}"
    )
