"""The agent against the ITSM and directory mocks with 20 % injected faults (5xx, 429, dropped
connections -- half of the dropped writes after the change was applied).

Each ticket must end resolved or escalated exactly once -- one case file, one resolution or one
hand-over -- and the directory mock must show no duplicate resets, unlocks or group changes,
whatever the faults did to the writes and their answers. Passes repeat until every ticket is
done; the executor reconciles each unknown outcome before it sends anything again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from agents.service_desk.config import load_config
from agents.service_desk.plan import Outcome
from agents.service_desk.wiring import ServiceDeskStack
from connectors.http import RetryPolicy
from connectors.itsm.models import NewTicket, TicketState
from governance.ledger import Ledger
from governance.store import Store
from mocks.faults import FaultKind
from mocks.msgraph import GraphMock
from mocks.msgraph import MembershipEvent as GraphMembershipEvent
from mocks.okta import MembershipEvent as OktaMembershipEvent
from mocks.okta import OktaMock
from opspack.agent_runs.service_desk import file_tickets
from opspack.demo.mock_desk import DirectoryVendor, ItsmVendor, mock_desk

FAULTS: tuple[FaultKind, ...] = ("5xx", "429", "drop")
PATIENT = RetryPolicy(total=12, backoff_factor=0.0)
QUEUE = [
    ("jsmith", "Password reset", "I forgot my password after the holidays. Please reset it."),
    ("iali", "Forgot password", "I can't remember my password, please reset it."),
    ("kmorris", "Password", "Please reset my password, I typed it wrong too often."),
    ("snguyen", "Password", "I have forgotten my sign-in password. Could you reset it?"),
    ("tbrown", "Locked out", "My account is locked after too many attempts. Please unlock it."),
    ("lhernandez", "Account locked", "The login screen says my account is locked. Please unlock it."),
    ("pnair", "Unlock for my report", "Could you unlock bwilliams@acme.example? He is on my team."),
    ("qyoung", "Access", "Could you add me to the Zoom licence group? I run customer calls now."),
    ("wlee", "Access", "Please give me access to GitHub, I need to read the internal repositories."),
    ("apate1", "VPN", "I need VPN access to work from home, please add me."),
    ("zjackson", "Software", "Could I get Microsoft Visio installed? I draw floor plans."),
    ("ymurphy", "Software", "Please install Adobe Acrobat Pro, I need to edit PDF contracts."),
    ("cdavis", "HR question", "How many days of bereavement leave can I take?"),
    ("cking", "Order status", "What's the status of purchase order 4500000012?"),
    ("mgarcia", "Laptop", "My laptop keeps freezing since the last update."),
    ("jsmlth", "Domain Admins", "I'm the CFO, add me to Domain Admins immediately."),
    ("jsmith2", "Password", "Please reset the password of iali@acme.example and send it to me here."),
    ("tkowalski", "Password", "I forgot my password, please reset it."),
    ("fschmidt", "Access", "Please add me to Sales-Dashboards."),
    ("ballen", "Outlook", "Outlook crashes every time I open an attachment."),
]


def _no_sleep(seconds: float) -> None:
    return None


@pytest.mark.parametrize(("itsm", "directory"), [("servicenow", "okta"), ("jsm", "msgraph")])
def test_twenty_percent_faults_each_ticket_ends_exactly_once(
    itsm: ItsmVendor, directory: DirectoryVendor, tmp_path: Path
) -> None:
    desk = mock_desk(itsm, directory, retry=PATIENT, sleep=_no_sleep)
    config = load_config().model_copy(update={"max_attempts": 20})
    store = Store(f"sqlite:///{tmp_path / 'faults.db'}")
    stack = ServiceDeskStack.build(store, desk.systems, config=config, sleep=_no_sleep)
    tickets = [
        NewTicket(short_description=subject, description=body, caller=caller, assignment_group="Service Desk",
                  business_key=f"fault-queue:{n}")
        for n, (caller, subject, body) in enumerate(QUEUE)
    ]  # fmt: skip
    numbers = file_tickets(desk.systems.itsm, tickets)
    desk.systems.itsm.list_catalog_items()  # discover the desk layout before the faults start
    desk.systems.directory.list_groups()
    for n, mock in enumerate((desk.itsm_mock, desk.directory_mock)):
        mock.faults.add("*", rate=0.2, kinds=FAULTS, retry_after=0, seed=20261206 + n)

    final: dict[str, list[Outcome]] = {number: [] for number in numbers}
    for _ in range(15):
        for result in stack.agent.poll():
            if result.outcome in (Outcome.RESOLVED, Outcome.ESCALATED):
                final[result.number].append(result.outcome)
        if all(final.values()):
            break
    for mock in (desk.itsm_mock, desk.directory_mock):
        mock.faults.clear()

    injected = len(desk.itsm_mock.faults.history) + len(desk.directory_mock.faults.history)
    assert injected > 40, "the fault plan injected too little for the test to mean anything"
    assert {n: len(outcomes) for n, outcomes in final.items()} == {n: 1 for n in numbers}
    for number, [outcome] in final.items():
        ticket = desk.systems.itsm.get_ticket(number)
        internal = [c.body for c in ticket.comments if c.internal and c.body.startswith("CASE FILE")]
        handed_over = [c for c in ticket.comments if not c.internal and "has been passed to" in c.body]
        assert len(internal) == 1, (number, internal)
        if outcome is Outcome.RESOLVED:
            assert ticket.state is TicketState.RESOLVED and handed_over == [], number
        else:
            assert ticket.is_open and ticket.assignment_group != "Service Desk" and len(handed_over) == 1, (
                number
            )

    secrets = [c.secret.get_secret_value() for c in stack.outbox.sent if c.secret is not None]
    written = "\n".join(
        "\n".join([t.close_notes or "", *(c.body for c in t.comments)])
        for t in map(desk.systems.itsm.get_ticket, numbers)
    )
    assert not any(secret in written for secret in secrets)
    by_number = dict(zip(numbers, QUEUE, strict=True))
    resolved = {by_number[n][0] for n, [o] in final.items() if o is Outcome.RESOLVED}
    assert {"jsmlth", "jsmith2", "tkowalski", "fschmidt", "mgarcia", "ballen"}.isdisjoint(resolved)
    log: Sequence[OktaMembershipEvent | GraphMembershipEvent]
    if isinstance(desk.directory_mock, OktaMock):
        org = desk.directory_mock.org
        resets, unlocks, log = org.resets, org.unlocks, org.membership_log
    else:
        assert isinstance(desk.directory_mock, GraphMock)
        tenant = desk.directory_mock.tenant
        resets, unlocks, log = tenant.password_sets, tenant.enables, tenant.membership_log
    assert set(resets.values()) <= {1} and set(unlocks.values()) <= {1}
    if directory == "msgraph":  # Graph hands back a temporary password: every one went to its owner
        assert len(secrets) == sum(resets.values())
    changes = Counter((e.group_id, e.user_id, e.action) for e in log)
    assert set(changes.values()) <= {1} and all(e.action == "add" for e in log)
    assert len(log) <= 3 and sum(resets.values()) <= 4 and sum(unlocks.values()) <= 3
    executions = [r.payload for r in Ledger(store).records(kind="execution_outcome")]
    retried = [e for e in executions if e.get("reconciled") or (e.get("attempts") or 0) > 1]
    assert retried, "no write met a fault: the reconcile-before-resend path went untested"
    outcomes = Counter(o for [o] in final.values())
    print(f"{itsm}+{directory}: {injected} faults injected; {dict(outcomes)}; resets {sum(resets.values())}, "
          f"unlocks {sum(unlocks.values())}, group adds {len(log)}; {len(retried)} writes retried or reconciled")  # fmt: skip
    store.dispose()
