"""Customer intake end to end: messages per second (run with ``make bench``).

Each message of the shipped scenario suite is parsed from its raw bytes, understood by the
offline classifier, matched to a customer, checked for escalation, and every write (case,
comments, contact change, credit memo, reply) goes through the real Governor (gate, exactly-once
executor, hash-chained SQLite ledger). Baseline: the in-memory `FakeCRM` and `FakeERP`; then the
Salesforce and HubSpot adapters over their in-process mocks (ERP in memory), and the SAP and
NetSuite adapters over theirs (CRM in memory).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

from agents.intake.config import load_config
from agents.intake.messages import InboundMessage
from agents.intake.scenarios import load_scenarios
from agents.intake.understanding import classifier_for
from agents.intake.wiring import IntakeStack
from connectors.auth import BearerToken, OAuth2ClientCredentials
from connectors.crm import CRMConnector, FakeCRM
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from governance.store import Store
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import mount_mocks
from opspack.cli.intake import erp_factory

SUITE = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "intake"


def _salesforce() -> CRMConnector:
    session = mount_mocks(requests.Session(), {"https://salesforce.mock": SalesforceMock.from_fixtures()})
    auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
    return SalesforceAdapter.connect("https://salesforce.mock", auth, session=session)


def _hubspot() -> CRMConnector:
    session = mount_mocks(requests.Session(), {"https://hubspot.mock": HubSpotMock.from_fixtures()})
    return HubSpotAdapter.connect(
        "https://hubspot.mock", BearerToken("pat-na1-opspack-mock"), session=session
    )


def _messages() -> list[InboundMessage]:
    """Every message of the suite, with ids made unique so threads of different cases stay apart."""
    messages = []
    for case in load_scenarios(SUITE):
        for message in case.messages():
            messages.append(
                message.model_copy(
                    update={
                        "message_id": f"{case.id}:{message.message_id}",
                        "in_reply_to": tuple(f"{case.id}:{r}" for r in message.in_reply_to),
                    }
                )
            )
    return messages


def _run(
    name: str,
    make_crm: Callable[[], CRMConnector],
    system: str,
    messages: list[InboundMessage],
    folder: Path,
    erp: str | None = None,
) -> dict[str, float]:
    store = Store(f"sqlite:///{folder / (name + '.db')}")
    erp_connector = None if erp is None else erp_factory(erp)()
    stack = IntakeStack.build(
        store, crm=make_crm(), crm_system=system, erp=erp_connector, erp_system=erp or "sap"
    )
    started = time.perf_counter()
    outcomes = Counter(stack.agent.handle(m).outcome.value for m in messages)
    elapsed = time.perf_counter() - started
    actions = sum(1 for record in stack.governor.ledger.records() if record.kind == "execution_outcome")
    store.dispose()
    return {
        "messages": len(messages),
        "seconds": elapsed,
        "msg/s": len(messages) / elapsed,
        "resolved": outcomes["resolved"],
        "governed writes": actions,
    }


def test_intake_throughput(tmp_path: Path) -> None:
    config = load_config()
    started = time.perf_counter()
    classifier_for(config.training_data)
    training = time.perf_counter() - started
    messages = _messages()
    rows = {
        "FakeCRM": _run("fake", FakeCRM.sample, "salesforce", messages, tmp_path),
        "SalesforceAdapter + SalesforceMock": _run("sf", _salesforce, "salesforce", messages, tmp_path),
        "HubSpotAdapter + HubSpotMock": _run("hs", _hubspot, "hubspot", messages, tmp_path),
        "SapS4HanaAdapter + SapMock (ERP)": _run(
            "sap", FakeCRM.sample, "salesforce", messages, tmp_path, "sap"
        ),
        "NetSuiteAdapter + NetSuiteMock (ERP)": _run(
            "ns", FakeCRM.sample, "salesforce", messages, tmp_path, "netsuite"
        ),
    }
    base = rows["FakeCRM"]["msg/s"]
    print(f"\nclassifier training (once per process): {training:.2f} s")
    print(
        f"{'systems (the other one in memory)':38} {'messages':>8} {'seconds':>8} {'msg/s':>8} {'vs fake':>8} {'resolved':>8} {'writes':>7}"
    )
    for name, row in rows.items():
        print(
            f"{name:38} {row['messages']:8.0f} {row['seconds']:8.2f} {row['msg/s']:8.1f} "
            f"{row['msg/s'] / base:8.2f} {row['resolved']:8.0f} {row['governed writes']:7.0f}"
        )
    assert all(row["messages"] == len(messages) for row in rows.values())
    assert rows["FakeCRM"]["resolved"] > 0
