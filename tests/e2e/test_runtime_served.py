"""Every agent against mocks served by `opspack mocks serve`, named only through a connections file
(and, for the runtime, a deployment file); results read back with the vendors' own clients."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyodata
import pysnow
import pytest
import requests
import yaml
from e2e_served import opspack, served_mocks, write_connections
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce

from agents.ap.synthetic_inbox import write_inbox
from opspack.mock_connections import MockSecrets
from opspack.wiring import mock_erp

ROOT = Path(__file__).resolve().parents[2]
SAP_INVOICES = "/sap/opu/odata/sap/API_SUPPLIERINVOICE_PROCESS_SRV"
pytestmark = pytest.mark.thirdparty


def settled(folder: Path) -> None:
    """Age the dropped files: `run --once` polls once, and the folder source skips files younger
    than 2 s (still being written); the CLI can start faster than that."""
    past = time.time() - 60
    for path in folder.iterdir():
        if path.is_file():
            os.utime(path, (past, past))


def deployment(tmp_path: Path, connections: Path, agents: dict[str, Any], sources: dict[str, Any]) -> Path:
    path = tmp_path / "opspack.yaml"
    document = {
        "database": f"sqlite:///{tmp_path / 'opspack.db'}",
        "connections": str(connections),
        "runtime": {"poll_seconds": 0.2, "approvals_seconds": 0.2},
        "sources": sources,
        "agents": agents,
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def sap_client(url: str) -> Any:
    secrets = MockSecrets()
    session = requests.Session()
    session.auth = (secrets.get("sap/ap_clerk/username"), secrets.get("sap/ap_clerk/password"))
    return pyodata.Client(url + SAP_INVOICES, session)


def test_ap_agent_runs_from_a_deployment_file_on_the_served_sap_mock(tmp_path: Path) -> None:
    with served_mocks(tmp_path) as url:
        connections = write_connections(tmp_path / "connections.yaml", url, ["sap"])
        items = write_inbox(mock_erp("sap", url), tmp_path / "inbox", 12, seed=3)
        settled(tmp_path / "inbox")
        config = deployment(
            tmp_path,
            connections,
            {"ap": {"type": "ap", "connections": {"erp": "sap"}, "sources": ["invoices"]}},
            {"invoices": {"kind": "folder", "path": str(tmp_path / "inbox"), "patterns": ["*.json"]}},
        )
        run = opspack("run", "--config", str(config), "--once", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        client = sap_client(url)
        for item in items:
            found = (
                client.entity_sets.A_SupplierInvoice.get_entities()
                .filter(
                    f"SupplierInvoiceIDByInvcgParty eq '{item.reference}' and InvoicingParty eq '{item.vendor_id}'"
                )
                .execute()
            )
            # posted or held once; a duplicate finds only the original; nothing for unreadable ones
            assert len(found) == (0 if item.expected in ("unknown_vendor", "math_error") else 1), item
            if item.expected == "post":
                assert found[0].PaymentBlockingReason in ("", None), item
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    handled = [line for line in lines if line.get("source") == "invoices"]
    assert len(handled) == 12 and all(line["transaction_id"].startswith("ap-") for line in handled)
    assert sorted(
        p.name for p in (tmp_path / "inbox" / "done").iterdir() if not p.name.endswith(".reason.txt")
    ) == sorted(i.file for i in items)


class _HttpsToHttp(HTTPAdapter):
    """simple-salesforce insists on https; the served mock speaks http on loopback."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = (request.url or "").replace("https://", "http://", 1)
        return super().send(request, **kwargs)


def salesforce_client(url: str) -> Salesforce:
    secrets = MockSecrets()
    token = requests.post(
        f"{url}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": secrets.get("salesforce/customer_intake/client_id"),
            "client_secret": secrets.get("salesforce/customer_intake/client_secret"),
        },
        timeout=10,
    ).json()["access_token"]
    session = requests.Session()
    https = url.replace("http://", "https://")
    session.mount(https, _HttpsToHttp())
    return Salesforce(session_id=token, instance_url=https, session=session)


def test_intake_agent_runs_from_a_deployment_file_on_served_salesforce_and_sap(tmp_path: Path) -> None:
    inbox = tmp_path / "messages"
    shutil.copytree(ROOT / "fixtures" / "intake" / "inbox", inbox)
    messages = sorted(p.name for p in inbox.iterdir() if p.is_file())
    settled(inbox)
    with served_mocks(tmp_path) as url:
        connections = write_connections(tmp_path / "connections.yaml", url, ["salesforce", "sap"])
        config = deployment(
            tmp_path,
            connections,
            {
                "intake": {
                    "type": "intake",
                    "connections": {"crm": "salesforce", "erp": "sap"},
                    "sources": ["mail"],
                }
            },
            {"mail": {"kind": "folder", "path": str(inbox), "patterns": ["*.eml", "*.json"]}},
        )
        sf = salesforce_client(url)
        before = {case["Id"] for case in sf.query_all("SELECT Id FROM Case")["records"]}
        run = opspack("run", "--config", str(config), "--once", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        cases = sf.query_all("SELECT Id, Subject, Status FROM Case")["records"]
    handled = [json.loads(line) for line in run.stderr.splitlines() if '"source": "mail"' in line]
    assert len(handled) == len(messages)
    outcomes = Counter(line["message"].split(":")[0].split()[-1] for line in handled)
    assert outcomes["resolved"] >= 1, outcomes
    opened = [case for case in cases if case["Id"] not in before]
    assert len(opened) >= outcomes["resolved"]  # every handled message has its case in Salesforce
    assert (
        sorted(p.name for p in (inbox / "done").iterdir() if not p.name.endswith(".reason.txt")) == messages
    )


def test_service_desk_runs_on_served_servicenow_and_okta_through_a_connections_file(tmp_path: Path) -> None:
    queue = tmp_path / "queue.yaml"
    queue.write_text(
        "- {caller: david.loo, priority: low, short_description: Visio,"
        " description: 'Could I get Microsoft Visio installed for the floor plans?'}\n"
        "- {caller: beth.anglin, priority: moderate, short_description: Laptop freezing,"
        " description: 'My laptop keeps freezing since the last update, it is extremely slow.'}\n",
        encoding="utf-8",
    )
    with served_mocks(tmp_path) as url:
        connections = write_connections(tmp_path / "connections.yaml", url, ["servicenow", "okta"])
        args = ["--connections", str(connections), "--itsm", "servicenow", "--directory", "okta"]
        database = ["--database", str(tmp_path / "sd.db")]
        run = opspack("service-desk", "run", *args, *database, "--queue", str(queue), "--json", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        worked = {r["number"]: r for r in json.loads(run.stdout)["results"]}
        secrets = MockSecrets()
        host = url.removeprefix("http://")
        client = pysnow.Client(
            host=host,
            use_ssl=False,
            user=secrets.get("servicenow/service_desk/username"),
            password=secrets.get("servicenow/service_desk/password"),
        )
        incidents = client.resource(api_path="/table/incident")
        filed = [incidents.get(query={"short_description": d}).one() for d in ("Visio", "Laptop freezing")]
        journal = client.resource(api_path="/table/sys_journal_field")
        for ticket in filed:
            assert ticket["number"] in worked
            notes = journal.get(query={"element_id": ticket["sys_id"]}).all()
            assert notes or ticket["state"] != "1", ticket  # the agent wrote to it or moved it on
        again = opspack(
            "service-desk", "run", *args, *database, "--queue", str(queue), "--json", cwd=tmp_path
        )
        assert again.returncode == 0, again.stderr
        assert len(incidents.get(query={"short_description": "Visio"}).all()) == 1  # filed once per key


def test_service_desk_runs_from_a_deployment_file_on_served_servicenow_and_okta(tmp_path: Path) -> None:
    """`opspack run` polls the ServiceNow queue (an ``itsm_queue`` source) of a served mock seeded with
    the desk's people and groups (``mocks serve --seed``), works every open ticket once, and a second
    run finds nothing new to do; read back with ServiceNow's own client."""
    desk_fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "service_desk" / "servicenow"
    with served_mocks(tmp_path, "--seed", f"servicenow={desk_fixtures}") as url:
        connections = write_connections(tmp_path / "connections.yaml", url, ["servicenow", "okta"])
        secrets = MockSecrets()
        client = pysnow.Client(
            host=url.removeprefix("http://"),
            use_ssl=False,
            user=secrets.get("servicenow/service_desk/username"),
            password=secrets.get("servicenow/service_desk/password"),
        )
        incidents = client.resource(api_path="/table/incident")
        # Callers file tickets in the "Service Desk" queue with ServiceNow's own client.
        [desk] = client.resource(api_path="/table/sys_user_group").get(query={"name": "Service Desk"}).all()
        users = client.resource(api_path="/table/sys_user")
        for caller, short, text in (
            ("beth.anglin", "Laptop freezing", "My laptop keeps freezing since the last update."),
            ("david.loo", "Visio", "Could I get Microsoft Visio installed for the floor plans?"),
        ):
            [user] = users.get(query={"user_name": caller}).all()
            incidents.create(
                payload={
                    "short_description": short,
                    "description": text,
                    "caller_id": user["sys_id"],
                    "assignment_group": desk["sys_id"],
                }
            )
        queued = incidents.get(query={"assignment_group": desk["sys_id"], "active": "true"}).all()
        open_before = [row["number"] for row in queued]
        assert len(open_before) >= 2
        agents = {
            "desk": {
                "type": "service_desk",
                "connections": {"itsm": "servicenow", "directory": "okta"},
                "sources": ["desk-queue"],
            }
        }
        sources = {"desk-queue": {"kind": "itsm_queue", "connection": "servicenow", "queue": "Service Desk"}}
        config = deployment(tmp_path, connections, agents, sources)
        run = opspack("run", "--config", str(config), "--once", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
        worked = [line for line in lines if line.get("source") == "desk-queue"]
        assert worked, lines[-5:]
        assert all(line.get("transaction_id") for line in worked), worked
        assert not [line for line in worked if "pending" in line["message"]], worked
        again = opspack("run", "--config", str(config), "--once", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        repeat = [json.loads(line) for line in again.stderr.splitlines() if line.startswith("{")]
        assert not [line for line in repeat if line.get("source") == "desk-queue"], repeat[-5:]
        journal = client.resource(api_path="/table/sys_journal_field")
        for number in open_before:
            [ticket] = incidents.get(query={"number": number}).all()
            notes = journal.get(query={"element_id": ticket["sys_id"]}).all()
            assert notes, ticket  # the agent wrote its case file or resolution on every queued ticket


def test_po_follow_up_runs_as_a_scheduled_task_of_a_deployment_on_the_served_sap_mock(tmp_path: Path) -> None:
    """Procurement's PO follow-up is a schedule of the deployment file; the task the runner fires
    reads the served SAP mock's open orders through the connections file and judges each chaser."""
    from datetime import UTC, datetime

    from governance.ledger import Ledger
    from opspack.deployment import load_deployment
    from opspack.runtime.build import build_wiring
    from opspack.runtime.tasks import run_task

    with served_mocks(tmp_path) as url:
        connections = write_connections(tmp_path / "connections.yaml", url, ["sap"])
        path = deployment(tmp_path, connections, {}, {})
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document["schedules"] = {
            "chase": {"cron": "0 7 * * 1-5", "task": "po_follow_up", "connection": "sap"}
        }
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        loaded = load_deployment(path)
        wiring = build_wiring(loaded)
        result = run_task("chase", loaded.schedules["chase"], wiring, datetime(2030, 1, 7, 7, tzinfo=UTC))
        assert result["overdue_orders"] > 0
        verdicts = list(Ledger(wiring.store).records(kind="verdict"))
        assert len(verdicts) >= result["overdue_orders"]
        assert {r.payload["action"]["system"] for r in verdicts} == {"sap"}
