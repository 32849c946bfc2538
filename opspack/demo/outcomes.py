"""The human half of the demo: a person resolves an escalated ticket in the ITSM mock, opspack reads it back.

`resolve_as_human` logs in to the ServiceNow mock as a member of the ticket's assignment group
(with that person's own credentials, not opspack's integration account) and resolves the ticket,
as the technician would in the tool. `collect_desk_outcomes` then runs the same collection the
runtime runs on a schedule (`agents.outcome_readers.collect_with_connectors`): the resolution is
recorded in the ledger with who and when, and the escalation's cycle time and SLA appear in
``opspack metrics``, the report and the console.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from agents.outcome_readers import collect_with_connectors
from connectors.auth import BasicAuth
from connectors.itsm.models import CloseCode, Resolution
from connectors.servicenow import ServiceNowAdapter
from governance.human_outcomes import CollectionReport
from governance.ledger import Ledger
from governance.store import Store
from mocks.servicenow import ServiceNowMock
from opspack.demo.mock_desk import URLS, MockDesk, mock_session

INTEGRATION_ACCOUNTS = frozenset({"opspack.integration"})


def _group_member(mock: ServiceNowMock, number: str) -> str:
    """A person in the ticket's assignment group (else any active person) to act as the technician."""
    (incident,) = mock.records("incident", number=number)
    users = mock.tables.rows.get("sys_user", {})
    members = [
        users[row["user"]]["user_name"]
        for row in mock.tables.rows.get("sys_user_grmember", {}).values()
        if row.get("group") == incident.get("assignment_group") and row.get("user") in users
    ]
    people = [u["user_name"] for u in users.values() if u.get("active") == "true"]
    candidates = [name for name in members + people if name not in INTEGRATION_ACCOUNTS]
    if not candidates:
        raise ValueError(f"no person in the ServiceNow mock can resolve {number}")
    return candidates[0]


def resolve_as_human(
    desk: MockDesk, number: str, *, user: str | None = None, notes: str = "Fixed on site by the technician."
) -> str:
    """Resolve `number` in the desk's ServiceNow mock as a person; returns who resolved it."""
    if not isinstance(desk.itsm_mock, ServiceNowMock):
        raise ValueError("resolve_as_human drives the ServiceNow mock")
    return resolve_in_servicenow(desk.itsm_mock, URLS["servicenow"], number, user=user, notes=notes)


def resolve_in_servicenow(
    mock: ServiceNowMock,
    url: str,
    number: str,
    *,
    user: str | None = None,
    notes: str = "Fixed on site by the technician.",
) -> str:
    """Resolve `number` in the ServiceNow mock mounted at `url` as a person; returns who resolved it."""
    person = user or _group_member(mock, number)
    matches = [u for u in mock.tables.rows["sys_user"].values() if u.get("user_name") == person]
    if not matches:
        raise ValueError(f"{person!r} is not a user in the ServiceNow mock")
    password = secrets.token_urlsafe(12)
    mock.tables.update("sys_user", matches[0]["sys_id"], {"user_password": password}, user="admin")
    technician = ServiceNowAdapter.connect(
        url, BasicAuth(person, password), session=mock_session(mock, url, time.sleep)
    )
    technician.resolve_ticket(number, Resolution(close_code=CloseCode.SOLVED, close_notes=notes))
    return person


def collect_desk_outcomes(desk: MockDesk, store: Store, now: datetime) -> CollectionReport:
    """Read people's resolutions of escalated tickets from the desk's ITSM into the ledger."""
    return collect_with_connectors(
        Ledger(store),
        now,
        itsm=[(desk.systems.itsm_system, desk.systems.itsm)],
        service_accounts=INTEGRATION_ACCOUNTS,
    )
