"""Human outcomes read from the CRM: an agent closes an escalated customer case in Salesforce or HubSpot.

The intake agent works a message it must escalate (a customer asking for a person) on the vendor's
mock through the real adapter; a person then closes the case in the CRM -- in Salesforce with their
own session, in HubSpot in the portal's UI -- and the collection reads who and when from the CRM and
records it, once. A closure by opspack's own integration user or by an app is the machine's, not a
person's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from agents.intake.messages import parse_eml
from agents.intake.outcomes import IntakeOutcome
from agents.intake.wiring import IntakeStack
from agents.outcome_readers import collect_with_connectors
from agents.outcome_readers_crm import CaseOutcomeReader
from connectors.auth import BearerToken, OAuth2ClientCredentials
from connectors.crm.models import CaseStatus, CaseUpdate
from connectors.crm.protocol import CRMConnector
from connectors.hubspot import HubSpotAdapter
from connectors.salesforce import SalesforceAdapter
from governance.human_outcomes import collect_human_outcomes
from governance.ledger import Ledger
from governance.store import Store
from mocks.hubspot import HubSpotMock
from mocks.salesforce import SalesforceMock
from mocks.transport import MockTransportAdapter

ADA = "Ada Andersen <ada.andersen0@acme.example>"
PERSON_SF = ("0055g0000000002AAA", "sam.patel@opspack.example")
"""A support agent in the Salesforce fixtures (the org's API user is the first user, Morgan Lee)."""
PERSON_HS = (9002, "sam.patel@opspack.example")
"""The same person as a HubSpot user (owner 70000002)."""


def _session(mock: object, base_url: str) -> requests.Session:
    session = requests.Session()
    session.mount(base_url + "/", MockTransportAdapter(mock, sleep=lambda _s: None))  # type: ignore[arg-type]
    return session


@dataclass
class CRMUnderTest:
    system: str
    crm: CRMConnector
    close_as_person: Callable[[str], str]
    """Close a case as a person in the CRM's own UI; returns the name the CRM knows them by."""
    integration_accounts: frozenset[str]


def _salesforce() -> CRMUnderTest:
    mock = SalesforceMock.from_fixtures()
    auth = OAuth2ClientCredentials("/services/oauth2/token", "opspack-mock-client", "opspack-mock-secret")
    crm = SalesforceAdapter.connect(
        "https://salesforce.mock", auth, session=_session(mock, "https://salesforce.mock")
    )
    user_id, username = PERSON_SF
    mock.grant_session("00Dperson!session", user_id=user_id)
    people = _session(mock, "https://salesforce.mock")

    def close(case_id: str) -> str:
        answer = people.patch(
            f"https://salesforce.mock/services/data/v59.0/sobjects/Case/{case_id}",
            json={"Status": "Closed"},
            headers={"Authorization": "Bearer 00Dperson!session"},
        )
        assert answer.status_code == 204, answer.text
        return username

    return CRMUnderTest("salesforce", crm, close, frozenset({"morgan.lee@opspack.example"}))


def _hubspot() -> CRMUnderTest:
    mock = HubSpotMock.from_fixtures()
    mock.grant_token("pat-na1-outcomes")
    crm = HubSpotAdapter.connect(
        "https://hubspot.mock",
        BearerToken("pat-na1-outcomes"),
        session=_session(mock, "https://hubspot.mock"),
    )
    user_id, email = PERSON_HS
    stage = crm.tickets.stages()["closed"]  # the pipeline's closed stage, by label

    def close(case_id: str) -> str:
        with mock.lock:
            mock.portal.update("tickets", case_id, {"hs_pipeline_stage": stage}, by_user=user_id)
        return email

    return CRMUnderTest("hubspot", crm, close, frozenset())


@pytest.fixture(params=["salesforce", "hubspot"])
def crm_under_test(request: pytest.FixtureRequest) -> CRMUnderTest:
    return _salesforce() if request.param == "salesforce" else _hubspot()


def _escalate(under: CRMUnderTest, store: Store) -> tuple[IntakeStack, str, str]:
    stack = IntakeStack.build(store, crm=under.crm, crm_system=under.system, erp_system="sap")
    raw = (
        f"From: {ADA}\r\nSubject: Order\r\nMessage-ID: <m-outcome@test>\r\nDate: Mon, 06 Oct 2025 09:00:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nWhere is my order SO-100001? I want to speak to a manager.\r\n"
    ).encode()
    result = stack.agent.handle(parse_eml(raw))
    assert result.outcome is IntakeOutcome.ESCALATED and result.case_id is not None
    transaction = next(r.transaction_id for r in Ledger(store).records(kind="escalation"))
    return stack, result.case_id, transaction


def test_a_person_closing_the_case_in_the_crm_finishes_the_escalation(
    crm_under_test: CRMUnderTest, sqlite_url: str
) -> None:
    store = Store(sqlite_url)
    _, case_id, transaction = _escalate(crm_under_test, store)
    later = datetime.now(UTC) + timedelta(minutes=1)

    def collect() -> Any:
        return collect_with_connectors(
            Ledger(store),
            later,
            crm=[(crm_under_test.system, crm_under_test.crm)],
            service_accounts=crm_under_test.integration_accounts,
        )

    assert collect().recorded == []  # still open: nothing to record
    person = crm_under_test.close_as_person(case_id)
    report = collect()
    (recorded,) = report.recorded
    assert report.errors == [] and recorded.transaction_id == transaction
    assert recorded.source == "system" and recorded.agreed is None  # an escalation: nothing to agree with
    assert collect().recorded == []  # idempotent
    (note,) = [r for r in Ledger(store).records(transaction) if r.payload.get("event") == "human_outcome"]
    assert note.actor == person and note.payload["decided_by"] == person
    assert note.payload["system"] == crm_under_test.system and note.payload["resolution"] == "closed"
    assert note.payload["human"]["operation"] == "crm.close_case"
    assert note.payload["human"]["target"] == case_id
    closed_at = datetime.fromisoformat(note.payload["decided_at"])
    assert abs(closed_at - datetime.now(UTC)) < timedelta(minutes=1)
    store.dispose()


def test_a_closure_by_the_integration_is_not_a_human_outcome(
    crm_under_test: CRMUnderTest, sqlite_url: str
) -> None:
    store = Store(sqlite_url)
    _, case_id, _ = _escalate(crm_under_test, store)
    closed = crm_under_test.crm.update_case(case_id, CaseUpdate(status=CaseStatus.CLOSED))
    assert closed.closed_by  # the CRM names who closed it: the integration user or the app
    reader = CaseOutcomeReader(
        crm_under_test.crm, system=crm_under_test.system, service_accounts=crm_under_test.integration_accounts
    )
    report = collect_human_outcomes(Ledger(store), [reader], datetime.now(UTC) + timedelta(minutes=1))
    assert report.recorded == [] and report.checked == 1
    store.dispose()


def test_a_case_the_crm_no_longer_has_is_skipped_and_an_outage_is_reported(sqlite_url: str) -> None:
    under = _salesforce()
    store = Store(sqlite_url)
    _, case_id, transaction = _escalate(under, store)

    class Broken:
        def __getattr__(self, name: str) -> Any:
            return getattr(under.crm, name)

        def get_case(self, case_id: str) -> Any:
            from connectors.errors import ServerError

            raise ServerError("503 from salesforce.mock", vendor="salesforce")

    reader = CaseOutcomeReader(Broken(), system="salesforce", service_accounts=())  # type: ignore[arg-type]
    report = collect_human_outcomes(Ledger(store), [reader], datetime.now(UTC))
    assert report.recorded == [] and len(report.errors) == 1
    assert transaction in report.errors[0] and "503" in report.errors[0] and case_id in report.errors[0]
    store.dispose()
