"""Approvals: bound to digest, policy version, expiry and single use; maker != checker; re-gated."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from governance_doubles import FileTarget, invoice, make_policy, payment, policy_data
from hypothesis import given, settings
from hypothesis import strategies as st

from governance import approvals
from governance.errors import ApprovalError, NotFoundError
from governance.policy import parse_policy
from governance.runtime import Governor
from governance.store import Store

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def target(tmp_path: Path) -> FileTarget:
    return FileTarget(tmp_path / "target.json")


@pytest.fixture
def governor(database_url: str, clock: Clock, target: FileTarget) -> Governor:
    return Governor(make_policy(), Store(database_url), {"sap": target}, clock=clock)


def held(governor: Governor, action=None, txn: str = "t1") -> str:  # type: ignore[no-untyped-def]
    outcome = governor.submit(action or payment(), transaction_id=txn)
    assert outcome.status == "held" and outcome.approval_id
    return outcome.approval_id


def test_approval_executes_once_and_cannot_be_reused(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor)
    outcome = governor.approve(approval_id, "alice", "invoice checked against PO")
    assert (outcome.status, outcome.document_id, outcome.approval_id) == ("executed", "DOC-0001", approval_id)
    with pytest.raises(ApprovalError, match="is used"):
        governor.approve(approval_id, "bob", "again")
    assert governor.submit(payment(), transaction_id="t1").status == "duplicate"
    assert target.writes == ["V1:PAY-1"]
    decided = [r for r in governor.ledger.records("t1") if r.kind == "approval_decided"]
    assert decided[0].actor == "alice" and decided[0].payload["reason"] == "invoice checked against PO"
    assert governor.ledger.verify().ok


def test_resubmitting_a_held_action_reuses_the_pending_request(governor: Governor) -> None:
    approval_id = held(governor)
    assert governor.submit(payment(), transaction_id="t1").approval_id == approval_id
    with governor.store.connect() as connection:
        assert len(connection.execute(approvals.approvals.select()).all()) == 1


def test_an_approval_covers_only_the_exact_action(governor: Governor, target: FileTarget) -> None:
    held(governor)
    other = governor.submit(payment(amount="500.01"), transaction_id="t1")
    assert other.status == "held" and other.approval_id is not None
    governor.approve(other.approval_id, "alice", "ok")
    assert target.writes == ["V1:PAY-1"] and target._load()["documents"]["V1:PAY-1"] == "DOC-0001"


def test_maker_cannot_check(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor, payment(requested_by="alice"))
    with pytest.raises(ApprovalError, match="cannot approve it"):
        governor.approve(approval_id, "alice", "my own request")
    for identity in ("ap", "agent-ap"):
        with pytest.raises(ApprovalError, match="maker and checker"):
            governor.approve(approval_id, identity, "self approval")
    assert target.writes == []
    assert governor.approve(approval_id, "bob", "four eyes").status == "executed"


def test_approver_must_be_allowed_for_the_agent(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor)
    for who in ("carol", "mallory"):
        with pytest.raises(ApprovalError, match="not an approver for agent 'ap'"):
            governor.approve(approval_id, who, "looks fine")
    assert target.writes == [] and approvals.get_request(governor.store, approval_id).status == "pending"


def test_segregation_of_duties_refuses_the_vendor_changer(governor: Governor, target: FileTarget) -> None:
    governor.executor.execute(
        invoice("BANK", operation="erp.update_vendor", requested_by="bob"), target, transaction_id="t0"
    )
    approval_id = held(governor)
    with pytest.raises(ApprovalError, match="vendor_vs_payment"):
        governor.approve(approval_id, "bob", "I changed the bank account myself")
    assert governor.approve(approval_id, "alice", "independent check").status == "executed"


def test_policy_change_makes_the_request_stale(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor)
    data = policy_data()
    data["agents"]["ap"]["aggregates"][0]["limit"] = 2999
    governor.policy = parse_policy(data)
    with pytest.raises(ApprovalError, match="stale"):
        governor.approve(approval_id, "alice", "ok")
    assert approvals.get_request(governor.store, approval_id).status == "stale"
    assert target.writes == []


def test_aggregate_exceeded_at_approval_time_refuses(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor, payment(amount="2000.00"))
    assert governor.submit(invoice("I-1", "1000.00"), transaction_id="t2").status == "executed"
    assert governor.submit(invoice("I-2", "1.00"), transaction_id="t3").status == "executed"
    with pytest.raises(ApprovalError, match=r"stale.*aggregate"):
        governor.approve(approval_id, "alice", "ok")
    assert target.writes == ["V1:I-1", "V1:I-2"]


def test_rejected_requests_never_execute(governor: Governor, target: FileTarget) -> None:
    approval_id = held(governor)
    with pytest.raises(ApprovalError, match="needs a reason"):
        governor.reject(approval_id, "bob", " ")
    assert governor.reject(approval_id, "bob", "duplicate of PAY-0").status == "denied"
    with pytest.raises(ApprovalError, match="is rejected"):
        governor.approve(approval_id, "alice", "ok")
    fresh = governor.submit(payment(), transaction_id="t1")
    assert fresh.status == "held" and fresh.approval_id != approval_id
    assert target.writes == []
    with pytest.raises(NotFoundError):
        governor.approve("no-such-id", "alice", "ok")


def test_approval_without_a_performer_executes_on_the_next_submission(
    database_url: str, clock: Clock, target: FileTarget
) -> None:
    store = Store(database_url)
    approval_id = held(Governor(make_policy(), store, {"sap": target}, clock=clock))
    cli_side = Governor(make_policy(), store, {}, clock=clock)
    outcome = cli_side.approve(approval_id, "alice", "ok")
    assert outcome.status == "held" and "next submits" in outcome.message and target.writes == []
    agent_side = Governor(make_policy(), store, {"sap": target}, clock=clock)
    waiting = Governor(make_policy(), store, {}, clock=clock).submit(payment(), transaction_id="t1")
    assert waiting.status == "held" and "waiting for a worker" in waiting.message
    used = agent_side.submit(payment(), transaction_id="t1")
    assert (used.status, used.approval_id) == ("executed", approval_id)
    assert approvals.get_request(store, approval_id).status == "used"
    assert agent_side.submit(payment(), transaction_id="t1").status == "duplicate"
    assert target.writes == ["V1:PAY-1"]


TTL = timedelta(hours=24)


@settings(max_examples=60, deadline=None)
@given(
    offset=st.one_of(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
        st.sampled_from([TTL, TTL - timedelta(microseconds=1), TTL + timedelta(microseconds=1)]),
    )
)
def test_approvals_expire_exactly_at_the_ttl(offset: timedelta) -> None:
    clock = Clock()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = FileTarget(Path(folder) / "target.json")
        governor = Governor(make_policy(), Store("sqlite://"), {"sap": target}, clock=clock)
        approval_id = held(governor)
        clock.now = START + offset
        if offset < TTL:
            assert governor.approve(approval_id, "alice", "in time").status == "executed"
            assert target.writes == ["V1:PAY-1"]
        else:
            with pytest.raises(ApprovalError, match="expired"):
                governor.approve(approval_id, "alice", "too late")
            assert approvals.get_request(governor.store, approval_id).status == "expired"
            assert target.writes == []
        governor.store.dispose()


REQUESTER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[3])
    from pathlib import Path
    from governance_doubles import FileTarget, make_policy, payment
    from governance.runtime import Governor
    from governance.store import Store
    governor = Governor(make_policy(), Store(sys.argv[1]), {"sap": FileTarget(Path(sys.argv[2]))})
    if sys.argv[4] == "request":
        print(governor.submit(payment(), transaction_id="t-restart").approval_id)
    else:
        outcome = governor.approve(sys.argv[5], "alice", "approved after restart")
        print(outcome.status, outcome.document_id)
    """
)


def test_requests_survive_a_restart(database_url: str, tmp_path: Path) -> None:
    script = tmp_path / "actor.py"
    script.write_text(REQUESTER)
    target = tmp_path / "target.json"
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(script), database_url, str(target), str(HERE), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    approval_id = run("request")
    assert run("approve", approval_id) == "executed DOC-0001"
    assert FileTarget(target).writes == ["V1:PAY-1"]
    store = Store(database_url)
    assert approvals.get_request(store, approval_id).status == "used"
